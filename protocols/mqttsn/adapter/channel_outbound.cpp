// channel: deliveries from the broker to the client: topic id choice (predefined, short,
// registered; REGISTER first when the client does not know the name yet), the inflight
// window, acknowledgements, resends (Tretry/Nretry) and the sleep buffer. See channel.hpp.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "channel.hpp"
#include "protocols/mqttsn/codec/codec.hpp"

namespace edgegw::mqttsn {

namespace {
constexpr std::size_t pull_batch = 16;
}

uint16_t channel::next_msg_id() {
  last_msg_id_ = last_msg_id_ == 0xFFFF ? 1 : static_cast<uint16_t>(last_msg_id_ + 1);
  return last_msg_id_;
}

bool channel::resolve_outbound(std::string_view topic, uint16_t* id, topic_id_type* type) const {
  if (auto it = cfg_->predefined_ids.find(topic); it != cfg_->predefined_ids.end()) {
    *id = it->second;
    *type = topic_id_type::predefined;
    return true;
  }
  if (topic.size() == 2) {
    *id = short_topic_id(topic[0], topic[1]);
    *type = topic_id_type::short_name;
    return true;
  }
  if (auto r = registry_.find(topic)) {
    *id = *r;
    *type = topic_id_type::normal;
    return true;
  }
  return false;
}

void channel::complete_unsent(const delivery& d) {
  // The message leaves the session without reaching the client.
  if (d.qos == 1) {
    session_->acknowledge(d.id, ack_type::puback);
  } else if (d.qos == 2) {
    if (!d.pubrel) session_->acknowledge(d.id, ack_type::pubrec);
    session_->acknowledge(d.id, ack_type::pubcomp);
  }
  stats_.messages_dropped.fetch_add(1, std::memory_order_relaxed);
  broker_.metrics().messages_dropped.fetch_add(1, std::memory_order_relaxed);
}

void channel::send_publish(const inflight& f, bool dup) {
  flags fl;
  fl.dup = dup;
  fl.qos = static_cast<int8_t>(f.d.qos);
  fl.retain = f.d.retain;
  fl.id_type = f.id_type;
  std::string d;
  if (encode_publish(fl, f.topic_id, f.d.qos > 0 ? f.d.id : 0, f.d.msg->payload, d) > 0)
    out_.push_back(std::move(d));
}

void channel::start_register(std::string_view topic) {
  auto id = registry_.peek_next();
  register_ = pending_register{std::string(topic), *id, next_msg_id(), now_, 0};
  send(reg{register_->topic_id, register_->msg_id, register_->topic});
}

void channel::buffer_while_asleep() {
  while (ready_ && session_open_) {
    std::size_t n = session_->pull(scratch_, pull_batch);
    if (n < pull_batch) ready_ = false;
    for (auto& d : scratch_) {
      queue_.push_back(std::move(d));
      if (queue_.size() > cfg_->max_sleep_buffer) {
        // Bounded: the oldest message gives way (as a full MQTT queue drops its oldest).
        complete_unsent(queue_.front());
        queue_.pop_front();
      }
    }
    scratch_.clear();
    if (n == 0) break;
  }
}

void channel::pump() {
  if (!session_open_) return;
  if (state_ == state::asleep) {
    buffer_while_asleep();
    return;
  }
  if (state_ != state::active && state_ != state::awake) return;
  const int64_t wall = unix_ms_now();
  for (;;) {
    if (queue_.empty()) {
      if (!ready_) break;
      if (state_ == state::awake && sent_this_wake_ >= cfg_->max_sleep_buffer) break;
      std::size_t n = session_->pull(scratch_, pull_batch);
      if (n < pull_batch) ready_ = false;
      for (auto& d : scratch_) queue_.push_back(std::move(d));
      scratch_.clear();
      if (n == 0) break;
    }
    delivery& d = queue_.front();
    if (d.pubrel) {  // a resumed QoS 2 delivery the client already has: PUBREL again
      inflight f{std::move(d), 0, topic_id_type::normal, true, now_, 0};
      queue_.pop_front();
      send(msg_id_only{msg_type::pubrel, f.d.id});
      inflight_.push_back(std::move(f));
      continue;
    }
    if (d.qos > 0 && inflight_.size() >= cfg_->max_inflight) break;
    if (d.msg->expired(wall)) {
      complete_unsent(d);
      broker_.metrics().messages_expired.fetch_add(1, std::memory_order_relaxed);
      queue_.pop_front();
      continue;
    }
    uint16_t id = 0;
    topic_id_type type = topic_id_type::normal;
    if (!resolve_outbound(d.topic, &id, &type)) {
      if (register_) break;  // one REGISTER at a time, in order
      if (!registry_.peek_next()) {
        log_->info("delivery_dropped client={} topic={} reason=max_registered_topics", client_id_,
                   d.topic);
        complete_unsent(d);
        queue_.pop_front();
        continue;
      }
      start_register(d.topic);
      break;
    }
    inflight f{std::move(d), id, type, false, now_, 0};
    queue_.pop_front();
    send_publish(f, f.d.dup);
    ++sent_this_wake_;
    stats_.messages_sent.fetch_add(1, std::memory_order_relaxed);
    broker_.metrics().messages_sent.fetch_add(1, std::memory_order_relaxed);
    if (f.d.qos > 0) inflight_.push_back(std::move(f));
  }
  maybe_finish_wake();
}

void channel::on_regack(const regack& a) {
  if (!register_ || a.msg_id != register_->msg_id) return;
  if (a.rc == return_code::accepted) {
    registry_.insert(register_->topic_id, register_->topic);
    stats_.registrations.fetch_add(1, std::memory_order_relaxed);
  } else {
    // The client refused the name: what waits for it cannot be delivered.
    log_->info("register_refused_by_client client={} topic={} rc={}", client_id_, register_->topic,
               static_cast<int>(a.rc));
    while (!queue_.empty() && queue_.front().topic == register_->topic) {
      complete_unsent(queue_.front());
      queue_.pop_front();
    }
  }
  register_.reset();
  pump();
}

void channel::on_puback(const puback& a) {
  auto it = std::find_if(inflight_.begin(), inflight_.end(),
                         [&](const inflight& f) { return f.d.id == a.msg_id && !f.released; });
  if (it == inflight_.end()) return;  // late or duplicate
  if (a.rc == return_code::invalid_topic_id && it->id_type == topic_id_type::normal) {
    // The client lost the registration (e.g. it restarted): register again and resend.
    registry_.erase(it->topic_id);
    delivery d = std::move(it->d);
    d.dup = false;
    inflight_.erase(it);
    queue_.push_front(std::move(d));
  } else if (a.rc != return_code::accepted) {
    log_->info("delivery_refused_by_client client={} msg_id={} rc={}", client_id_, a.msg_id,
               static_cast<int>(a.rc));
    if (it->d.qos == 2)
      session_->acknowledge(a.msg_id, ack_type::pubrec, 0x80);
    else
      session_->acknowledge(a.msg_id, ack_type::puback);
    stats_.messages_dropped.fetch_add(1, std::memory_order_relaxed);
    inflight_.erase(it);
  } else {
    session_->acknowledge(a.msg_id, ack_type::puback);
    inflight_.erase(it);
  }
  pump();
}

void channel::on_pubrec(uint16_t msg_id) {
  auto it = std::find_if(inflight_.begin(), inflight_.end(),
                         [&](const inflight& f) { return f.d.id == msg_id && f.d.qos == 2; });
  if (it == inflight_.end()) return;
  if (!it->released) {
    session_->acknowledge(msg_id, ack_type::pubrec);
    it->released = true;
  }
  it->sent_at = now_;
  it->retries = 0;
  send(msg_id_only{msg_type::pubrel, msg_id});
}

void channel::on_pubcomp(uint16_t msg_id) {
  auto it = std::find_if(inflight_.begin(), inflight_.end(),
                         [&](const inflight& f) { return f.d.id == msg_id && f.released; });
  if (it == inflight_.end()) return;
  session_->acknowledge(msg_id, ack_type::pubcomp);
  inflight_.erase(it);
  pump();
}

void channel::resend_due() {
  const auto due = [&](time_point sent) { return now_ >= sent + cfg_->retry_interval; };
  bool exhausted = false;
  for (auto& f : inflight_) {
    if (!due(f.sent_at)) continue;
    if (f.retries >= cfg_->max_retries) {
      exhausted = true;
      break;
    }
    ++f.retries;
    f.sent_at = now_;
    stats_.retransmissions.fetch_add(1, std::memory_order_relaxed);
    if (f.released)
      send(msg_id_only{msg_type::pubrel, f.d.id});
    else
      send_publish(f, true);
  }
  if (!exhausted && register_ && due(register_->sent_at)) {
    if (register_->retries >= cfg_->max_retries) {
      exhausted = true;
    } else {
      ++register_->retries;
      register_->sent_at = now_;
      stats_.retransmissions.fetch_add(1, std::memory_order_relaxed);
      send(reg{register_->topic_id, register_->msg_id, register_->topic});
    }
  }
  if (!exhausted) return;
  if (state_ == state::awake) {
    // The client went back to sleep without answering: keep the rest for its next wake-up.
    log_->info("wake_unanswered client={} inflight={}", client_id_, inflight_.size());
    send(pingresp{});
    go_asleep();
    return;
  }
  lost(close_reason::connection_lost, "retries_exhausted");
}

}  // namespace edgegw::mqttsn
