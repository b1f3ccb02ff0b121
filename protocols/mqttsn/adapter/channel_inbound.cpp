// channel: what the client sends towards the broker: PUBLISH (QoS 0, 1, 2), PUBREL,
// REGISTER, SUBSCRIBE and UNSUBSCRIBE. See channel.hpp.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "channel.hpp"
#include "protocols/mqttsn/adapter/detail/return_codes.hpp"

namespace edgegw::mqttsn {

namespace {
constexpr std::size_t recent_qos1_kept = 16;
}

std::optional<std::string> channel::inbound_topic(const publish& p, return_code* rc) const {
  switch (p.f.id_type) {
    case topic_id_type::normal:
      if (const std::string* n = registry_.name(p.topic_id)) return *n;
      break;
    case topic_id_type::predefined: {
      auto it = cfg_->predefined.find(p.topic_id);
      if (it != cfg_->predefined.end()) return it->second;
      break;
    }
    case topic_id_type::short_name:
      return short_topic_name(p.topic_id);
    case topic_id_type::reserved:
      *rc = return_code::not_supported;
      return std::nullopt;
  }
  *rc = return_code::invalid_topic_id;
  return std::nullopt;
}

void channel::reply_publish(const publish& p, return_code rc) {
  stats_.messages_rejected.fetch_add(1, std::memory_order_relaxed);
  send(puback{p.topic_id, p.msg_id, rc});
}

void channel::on_publish(publish& p) {
  return_code rc = return_code::accepted;
  auto topic = inbound_topic(p, &rc);
  if (!topic) {
    log_->debug("publish_refused client={} topic_id={} rc={}", client_id_, p.topic_id,
                static_cast<int>(rc));
    reply_publish(p, rc);
    return;
  }
  const uint8_t qos = static_cast<uint8_t>(std::max<int>(p.f.qos, 0));
  if (qos == 1 && p.f.dup &&
      std::find(recent_qos1_.begin(), recent_qos1_.end(), p.msg_id) != recent_qos1_.end()) {
    // Our PUBACK was lost and the client sent it again: acknowledge, do not route twice.
    stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
    send(puback{p.topic_id, p.msg_id, return_code::accepted});
    return;
  }
  if (qos == 2) {
    errc e = errc::ok;
    if (!session_->begin_incoming_qos2(p.msg_id, &e)) {
      if (e != errc::ok) {
        reply_publish(p, detail::to_return_code(e));
      } else {
        stats_.duplicates.fetch_add(1, std::memory_order_relaxed);
        send(msg_id_only{msg_type::pubrec, p.msg_id});
      }
      return;
    }
  }
  message m;
  m.topic = std::move(*topic);
  m.payload = std::move(p.data);
  m.qos = qos;
  m.retain = p.f.retain;
  // Set here, the broker need not copy the message to stamp the publisher on it.
  m.from_client = client_.client_id;
  m.from_protocol = client_.protocol;
  std::function<void()> unthrottle;
  if (qos > 0 && hooks_.make_unthrottle) unthrottle = hooks_.make_unthrottle(serial_, generation_);
  auto r = broker_.publish(client_, make_message(std::move(m)), std::move(unthrottle));
  if (!r) {
    if (qos == 2) session_->release_incoming_qos2(p.msg_id);
    auto e = static_cast<errc>(r.error().value());
    log_->info("publish_refused client={} topic_id={} error={}", client_id_, p.topic_id,
               to_string(e));
    reply_publish(p, detail::to_return_code(e));
    return;
  }
  stats_.messages_received.fetch_add(1, std::memory_order_relaxed);
  if (qos == 0) return;
  packet ack;
  if (qos == 1) {
    recent_qos1_.push_back(p.msg_id);
    if (recent_qos1_.size() > recent_qos1_kept) recent_qos1_.pop_front();
    ack = puback{p.topic_id, p.msg_id, return_code::accepted};
  } else {
    ack = msg_id_only{msg_type::pubrec, p.msg_id};
  }
  // A throttled publish is acknowledged when the broker releases it: the client, which
  // waits for the ack, slows down instead of flooding full queues.
  if (r.value().throttled)
    held_acks_.push_back(std::move(ack));
  else
    send(ack);
}

void channel::on_pubrel(uint16_t msg_id) {
  session_->release_incoming_qos2(msg_id);
  send(msg_id_only{msg_type::pubcomp, msg_id});
}

void channel::on_register(reg& r) {
  if (validate_topic_name(r.topic_name, broker_.limits().topics) != errc::ok) {
    // Wildcards (and invalid names) cannot be registered.
    send(regack{0, r.msg_id, return_code::not_supported});
    return;
  }
  // A client registers a name to publish on it: one it may not write is refused now
  // (MQTT-SN has no "not authorized"; "not supported" is what its PUBACK would say too).
  if (!broker_.authorize(client_, action::publish, r.topic_name)) {
    log_->info("register_refused client={} topic={} reason=not_authorized", client_id_,
               r.topic_name);
    send(regack{0, r.msg_id, return_code::not_supported});
    return;
  }
  auto id = registry_.add(r.topic_name);
  if (!id) {
    log_->info("register_refused client={} reason=max_registered_topics", client_id_);
    send(regack{0, r.msg_id, return_code::congestion});
    return;
  }
  stats_.registrations.fetch_add(1, std::memory_order_relaxed);
  send(regack{*id, r.msg_id, return_code::accepted});
}

void channel::on_subscribe(subscribe& s) {
  const bool unsub = s.type == msg_type::unsubscribe;
  auto refuse_sub = [&](return_code rc) {
    if (unsub)
      send(msg_id_only{msg_type::unsuback, s.msg_id});
    else
      send(suback{{}, 0, s.msg_id, rc});
  };
  std::string name;
  uint16_t topic_id = 0;
  switch (s.f.id_type) {
    case topic_id_type::normal:
      name = std::move(s.topic_name);
      break;
    case topic_id_type::predefined: {
      auto it = cfg_->predefined.find(s.topic_id);
      if (it == cfg_->predefined.end()) {
        refuse_sub(return_code::invalid_topic_id);
        return;
      }
      name = it->second;
      topic_id = s.topic_id;
      break;
    }
    case topic_id_type::short_name:
      name = short_topic_name(s.topic_id);
      topic_id = s.topic_id;
      break;
    case topic_id_type::reserved:
      refuse_sub(return_code::not_supported);
      return;
  }
  if (unsub) {
    std::string f[1] = {std::move(name)};
    broker_.unsubscribe(*session_, f);
    send(msg_id_only{msg_type::unsuback, s.msg_id});
    return;
  }
  if (s.f.qos < 0 || name.empty()) {
    refuse_sub(return_code::not_supported);
    return;
  }
  if (s.f.id_type == topic_id_type::normal && !has_wildcards(name)) {
    // A plain name gets its topic id now, so deliveries on it need no REGISTER.
    if (validate_topic_name(name, broker_.limits().topics) != errc::ok) {
      refuse_sub(return_code::not_supported);
      return;
    }
    auto id = registry_.add(name);
    if (!id) {
      refuse_sub(return_code::congestion);
      return;
    }
    topic_id = *id;
  }
  subscription_request req[1];
  req[0].filter = std::move(name);
  req[0].options.qos = static_cast<uint8_t>(s.f.qos);
  auto res = broker_.subscribe(*session_, req);
  if (res.empty() || res[0].error != errc::ok) {
    auto e = res.empty() ? errc::unspecified : res[0].error;
    log_->info("subscribe_refused client={} filter={} error={}", client_id_, req[0].filter,
               to_string(e));
    refuse_sub(detail::to_return_code(e));
    return;
  }
  flags f;
  f.qos = static_cast<int8_t>(res[0].granted_qos);
  send(suback{f, topic_id, s.msg_id, return_code::accepted});
}

}  // namespace edgegw::mqttsn
