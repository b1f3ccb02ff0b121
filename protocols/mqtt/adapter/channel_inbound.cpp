// mqtt::channel: what a connected client sends: PUBLISH (topic aliases, QoS 1/2 flows,
// receive maximum, throttling), the acknowledgements of our deliveries, SUBSCRIBE and
// UNSUBSCRIBE.
#include <spdlog/spdlog.h>

#include "protocols/mqtt/adapter/channel.hpp"
#include "protocols/mqtt/adapter/detail/log.hpp"
#include "protocols/mqtt/adapter/detail/reason_map.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt {

void channel::handle(publish& p) {
  const broker_limits& lim = broker_.limits();
  auto violation = [this](close_reason r, uint8_t code, std::string_view why) {
    broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
    close(r, true, code, why);
  };
  if (ver_ == version::v5) {
    if (!p.props.subscription_identifiers.empty()) {  // [MQTT-3.3.4-6]
      violation(close_reason::protocol_error, reason::protocol_error,
                "subscription identifier on an inbound PUBLISH");
      return;
    }
    if (p.props.response_topic &&
        validate_topic_name(*p.props.response_topic, lim.topics) != errc::ok) {
      violation(close_reason::protocol_error, reason::protocol_error, "invalid response topic");
      return;
    }
  }
  // Topic alias: resolve an empty topic now, remember a new mapping once the topic is valid.
  std::optional<uint16_t> alias = ver_ == version::v5 ? p.props.topic_alias : std::nullopt;
  if (alias && (*alias == 0 || *alias > cfg_->max_topic_alias)) {
    violation(close_reason::protocol_error, reason::topic_alias_invalid,
              "topic alias out of range");
    return;
  }
  if (p.topic.empty()) {
    const std::string* known = alias && extras_ ? extras_->in_aliases.find(*alias) : nullptr;
    if (!known) {
      violation(close_reason::protocol_error, reason::protocol_error,
                alias ? "unknown topic alias" : "empty topic without alias");
      return;
    }
    p.topic = *known;
    alias.reset();
  }
  if (p.qos > lim.max_qos) {
    violation(close_reason::protocol_error, reason::qos_not_supported, "QoS not supported");
    return;
  }
  if (p.retain && !lim.retain_available) {
    violation(close_reason::protocol_error, reason::retain_not_supported, "retain not supported");
    return;
  }
  if (validate_topic_name(p.topic, lim.topics) != errc::ok) {
    // v5 refuses a QoS 1/2 message in its ack and keeps the connection.
    if (ver_ == version::v5 && p.qos > 0) {
      detail::log()->debug("publish_refused client={} peer={} code=0x90 why=\"invalid topic\"",
                           client().client_id, peer_);
      reply_publish(p.qos, p.packet_id, reason::topic_name_invalid);
      return;
    }
    violation(close_reason::protocol_error, reason::topic_name_invalid, "invalid topic name");
    return;
  }
  if (alias) ext().in_aliases.set(*alias, p.topic);

  const bool check_inflight = ver_ == version::v5;  // v3 clients were told no limit
  if (p.qos == 2) {
    errc e = errc::ok;
    if (!session_->begin_incoming_qos2(p.packet_id, &e)) {
      if (e != errc::ok) {
        close(close_reason::quota_exceeded, true, reason::receive_maximum_exceeded,
              "too many QoS 2 messages awaiting PUBREL");
        return;
      }
      reply_publish(2, p.packet_id, reason::success);  // a resend: acknowledged, not routed
      return;
    }
    if (check_inflight && inbound_open() >= cfg_->max_inflight) {
      session_->release_incoming_qos2(p.packet_id);
      close(close_reason::quota_exceeded, true, reason::receive_maximum_exceeded,
            "receive maximum exceeded");
      return;
    }
    ++awaiting_rel_;
  } else if (p.qos == 1 && check_inflight && inbound_open() >= cfg_->max_inflight) {
    close(close_reason::quota_exceeded, true, reason::receive_maximum_exceeded,
          "receive maximum exceeded");
    return;
  }
  route(p);
}

void channel::route(publish& p) {
  const uint8_t qos = p.qos;
  const uint16_t id = p.packet_id;
  message m;
  m.topic = std::move(p.topic);
  m.payload = std::move(p.payload);
  m.qos = qos;
  m.retain = p.retain;
  if (ver_ == version::v5) {
    properties& pr = p.props;
    m.payload_format = pr.payload_format_indicator;
    m.content_type = std::move(pr.content_type);
    m.response_topic = std::move(pr.response_topic);
    m.correlation_data = std::move(pr.correlation_data);
    m.user_properties.reserve(pr.user_properties.size());
    for (auto& [k, v] : pr.user_properties) {
      m.user_properties.push_back(user_property{std::move(k), std::move(v)});
    }
    // 0 is read as "no expiry", as mosquitto does.
    if (pr.message_expiry_interval && *pr.message_expiry_interval > 0) {
      m.expire_at_ms =
          link_->wall_clock_ms() + static_cast<int64_t>(*pr.message_expiry_interval) * 1000;
    }
  }
  m.from_client = client().client_id;
  m.from_protocol = "mqtt";

  auto r = broker_.publish(client(), make_message(std::move(m)), [l = link_] { l->unthrottle(); });
  uint8_t code = reason::success;
  if (!r) {
    errc e = detail::to_errc(r.error());
    code = detail::puback_reason(e);
    if (qos == 2) {  // the flow ends with the refusing PUBREC
      session_->release_incoming_qos2(id);
      if (awaiting_rel_ > 0) --awaiting_rel_;
    }
    detail::log()->debug("publish_refused client={} peer={} qos={} error={}", client().client_id,
                         peer_, qos, to_string(e));
  } else {
    if (r.value().matched == 0) code = reason::no_matching_subscribers;
    if (r.value().throttled) {
      throttled_ = true;
      detail::log()->debug("throttled client={} peer={}", client().client_id, peer_);
    }
  }
  if (qos > 0) reply_publish(qos, id, code);
}

void channel::reply_publish(uint8_t qos, uint16_t id, uint8_t code) {
  pub_response a;
  a.type = qos == 1 ? packet_type::puback : packet_type::pubrec;
  a.packet_id = id;
  a.reason_code = ver_ == version::v5 ? code : 0;
  // The ack of the publish that throttled us waits for on_unthrottled: the client's own
  // window then holds it back too.
  if (throttled_ && !held_ack_) {
    held_ack_ = std::make_unique<pub_response>(a);
    return;
  }
  send(a);
}

void channel::handle(pub_response& r) {
  const uint16_t id = r.packet_id;
  switch (r.type) {
    case packet_type::puback:
    case packet_type::pubcomp: {
      ack_type t = r.type == packet_type::puback ? ack_type::puback : ack_type::pubcomp;
      if (!session_->acknowledge(id, t, r.reason_code)) {
        detail::log()->debug("unknown_ack client={} peer={} type={} id={}", client().client_id,
                             peer_, static_cast<int>(r.type), id);
      }
      if (extras_) extras_->retry.completed(id);
      ready_ = true;  // the inflight window opened
      break;
    }
    case packet_type::pubrec: {
      bool known = session_->acknowledge(id, ack_type::pubrec, r.reason_code);
      if (r.reason_code >= 0x80) {  // the client refused it: the QoS 2 flow ends here
        if (extras_) extras_->retry.completed(id);
        ready_ = true;
        break;
      }
      pub_response rel;
      rel.type = packet_type::pubrel;
      rel.packet_id = id;
      rel.reason_code = ver_ == version::v5 && !known ? reason::packet_identifier_not_found : 0;
      send(rel);
      if (known) {
        if (retry_active()) ext().retry.released(id, now_);
      } else {
        if (extras_) extras_->retry.completed(id);
      }
      break;
    }
    case packet_type::pubrel: {
      bool known = session_->release_incoming_qos2(id);
      if (known && awaiting_rel_ > 0) --awaiting_rel_;
      pub_response comp;
      comp.type = packet_type::pubcomp;
      comp.packet_id = id;
      comp.reason_code = ver_ == version::v5 && !known ? reason::packet_identifier_not_found : 0;
      send(comp);
      break;
    }
    default:
      unexpected(r.type);
      break;
  }
}

void channel::handle(subscribe& s) {
  const broker_limits& lim = broker_.limits();
  uint32_t sub_id = 0;
  if (ver_ == version::v5 && !s.props.subscription_identifiers.empty()) {
    if (!lim.subscription_identifiers_available) {
      broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
      close(close_reason::protocol_error, true, reason::subscription_identifiers_not_supported,
            "subscription identifiers not supported");
      return;
    }
    sub_id = s.props.subscription_identifiers.front();
  }
  std::vector<subscription_request> reqs;
  reqs.reserve(s.entries.size());
  for (auto& e : s.entries) {
    subscription_request q;
    q.options.qos = e.qos;
    q.options.subscription_id = sub_id;
    if (ver_ == version::v5) {
      errc shared_error = errc::ok;
      if (e.no_local && parse_shared_filter(e.filter, &shared_error)) {  // [MQTT-3.8.3-4]
        broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
        close(close_reason::protocol_error, true, reason::protocol_error,
              "no local on a shared subscription");
        return;
      }
      q.options.no_local = e.no_local;
      q.options.retain_as_published = e.retain_as_published;
      q.options.retain_handling = e.retain_handling;
    }
    q.filter = std::move(e.filter);
    reqs.push_back(std::move(q));
  }
  auto outcomes = broker_.subscribe(*session_, reqs);
  suback a;
  a.packet_id = s.packet_id;
  a.reason_codes.reserve(reqs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    errc e = i < outcomes.size() ? outcomes[i].error : errc::unspecified;
    if (e == errc::ok) {
      a.reason_codes.push_back(outcomes[i].granted_qos);
    } else {
      a.reason_codes.push_back(ver_ == version::v5 ? detail::suback_reason(e) : suback_v3::failure);
      detail::log()->debug("subscribe_refused client={} peer={} filter={} error={}",
                           client().client_id, peer_, reqs[i].filter, to_string(e));
    }
  }
  send(a);
}

void channel::handle(unsubscribe& u) {
  auto outcomes = broker_.unsubscribe(*session_, u.filters);
  unsuback a;
  a.packet_id = u.packet_id;
  if (ver_ == version::v5) {
    a.reason_codes.reserve(u.filters.size());
    for (std::size_t i = 0; i < u.filters.size(); ++i) {
      a.reason_codes.push_back(
          detail::unsuback_reason(i < outcomes.size() ? outcomes[i] : errc::unspecified));
    }
  }
  send(a);
}

}  // namespace edgegw::mqtt
