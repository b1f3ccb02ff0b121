// channel: sleeping clients (DISCONNECT with a duration, wake-up PINGREQ, back to sleep),
// PINGREQ, and the timers (will handshake, keepalive, sleep duration, resends). See
// channel.hpp.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "channel.hpp"

namespace edgegw::mqttsn {

// ---------------------------------------------------------------------------- sleep, ping

void channel::on_disconnect(const disconnect& d) {
  send(disconnect{});
  if (d.duration && *d.duration > 0 && session_open_ &&
      (state_ == state::active || state_ == state::awake || state_ == state::asleep)) {
    sleep_duration_ = *d.duration;
    log_->info("asleep client={} duration={}", client_id_, sleep_duration_);
    go_asleep();
    return;
  }
  log_->info("disconnected client={} peer={} reason=normal", client_id_, peer_);
  end(close_reason::normal, false);
}

void channel::go_asleep() {
  set_state(state::asleep);
  state_since_ = now_;
  sent_this_wake_ = 0;
  buffer_while_asleep();
}

void channel::on_pingreq(const pingreq&) {
  switch (state_) {
    case state::asleep: {
      set_state(state::awake);
      sent_this_wake_ = 0;
      // Look in the session even if its on_ready is still on its way to us.
      ready_ = true;
      // What was sent before the client fell asleep goes again first.
      for (auto& f : inflight_) {
        f.retries = 0;
        f.sent_at = now_;
        if (f.released) {
          send(msg_id_only{msg_type::pubrel, f.d.id});
        } else {
          send_publish(f, true);
        }
      }
      if (register_) {
        register_->sent_at = now_;
        register_->retries = 0;
        send(reg{register_->topic_id, register_->msg_id, register_->topic});
      }
      pump();
      break;
    }
    case state::awake:
      pump();
      break;
    case state::active:
      send(pingresp{});
      break;
    default:
      break;
  }
}

void channel::maybe_finish_wake() {
  if (state_ != state::awake || register_ || !inflight_.empty()) return;
  const bool drained = queue_.empty() && !ready_;
  if (drained || sent_this_wake_ >= cfg_->max_sleep_buffer) {
    send(pingresp{});
    go_asleep();
  }
}

void channel::on_will_update(willtopic& w) {
  if (w.empty) {
    will_draft_.reset();
    session_->set_will(std::nullopt);
    send(will_resp{msg_type::willtopicresp, return_code::accepted});
    return;
  }
  if (validate_topic_name(w.topic, broker_.limits().topics) != errc::ok) {
    send(will_resp{msg_type::willtopicresp, return_code::not_supported});
    return;
  }
  message m;
  if (will_draft_) m.payload = std::move(will_draft_->payload);
  m.topic = std::move(w.topic);
  m.qos = static_cast<uint8_t>(std::clamp<int>(w.f.qos, 0, 2));
  m.retain = w.f.retain;
  will_draft_ = std::move(m);
  session_->set_will(will_message{make_message(*will_draft_), 0, 0});
  send(will_resp{msg_type::willtopicresp, return_code::accepted});
}

void channel::on_will_update(willmsg& w) {
  if (!will_draft_) {
    send(will_resp{msg_type::willmsgresp, return_code::not_supported});
    return;
  }
  will_draft_->payload = std::move(w.msg);
  session_->set_will(will_message{make_message(*will_draft_), 0, 0});
  send(will_resp{msg_type::willmsgresp, return_code::accepted});
}

// ---------------------------------------------------------------------------- timers

std::optional<channel::time_point> channel::next_deadline() const noexcept {
  std::optional<time_point> t;
  auto take = [&](time_point c) {
    if (!t || c < *t) t = c;
  };
  switch (state_) {
    case state::will_topic:
    case state::will_msg:
    case state::authenticating:
      take(state_since_ + cfg_->connect_timeout);
      break;
    case state::active:
      if (keepalive_ > 0) take(last_rx_ + scaled(keepalive_));
      [[fallthrough]];
    case state::awake:
      for (const auto& f : inflight_) take(f.sent_at + cfg_->retry_interval);
      if (register_) take(register_->sent_at + cfg_->retry_interval);
      break;
    case state::asleep:
      take(std::max(last_rx_, state_since_) + scaled(sleep_duration_));
      break;
    case state::ended:
      break;
  }
  return t;
}

void channel::on_tick(time_point now) {
  now_ = now;
  switch (state_) {
    case state::will_topic:
    case state::will_msg:
    case state::authenticating:
      if (now >= state_since_ + cfg_->connect_timeout) {
        log_->info("connect_timeout client={} peer={} state={}", client_id_, peer_,
                   to_string(state_));
        pending_connect_.reset();
        end(close_reason::connection_lost, true);
      }
      break;
    case state::active:
      if (keepalive_ > 0 && now >= last_rx_ + scaled(keepalive_)) {
        lost(close_reason::keepalive_timeout, "keepalive_timeout");
        return;
      }
      resend_due();
      break;
    case state::awake:
      resend_due();
      break;
    case state::asleep:
      if (now >= std::max(last_rx_, state_since_) + scaled(sleep_duration_))
        lost(close_reason::keepalive_timeout, "sleep_expired");
      break;
    case state::ended:
      break;
  }
}

}  // namespace edgegw::mqttsn
