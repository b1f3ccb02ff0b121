// channel: dispatch, the connection lifecycle (CONNECT and the will handshake, sleep and
// wake-up, PINGREQ, DISCONNECT, will updates), timers and ending. See channel.hpp.
#include "channel.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <type_traits>

#include "protocols/mqttsn/adapter/detail/log.hpp"
#include "protocols/mqttsn/adapter/detail/return_codes.hpp"
#include "protocols/mqttsn/codec/codec.hpp"

namespace edgegw::mqttsn {

const char* to_string(channel::state s) noexcept {
  switch (s) {
    case channel::state::will_topic:
      return "will_topic";
    case channel::state::will_msg:
      return "will_msg";
    case channel::state::authenticating:
      return "authenticating";
    case channel::state::active:
      return "active";
    case channel::state::asleep:
      return "asleep";
    case channel::state::awake:
      return "awake";
    case channel::state::ended:
      return "ended";
  }
  return "unknown";
}

channel::channel(uint64_t serial, std::shared_ptr<const settings> cfg, broker& b, hooks& h,
                 gateway_stats& stats, std::string peer, time_point now)
    : serial_(serial),
      cfg_(std::move(cfg)),
      broker_(b),
      hooks_(h),
      stats_(stats),
      log_(detail::logger()),
      peer_(std::move(peer)),
      now_(now),
      last_rx_(now),
      state_since_(now),
      registry_(cfg_->max_registered_topics) {
  stats_.clients.fetch_add(1, std::memory_order_relaxed);
}

channel::~channel() {
  try {
    if (session_open_) broker_.close(*session_, close_reason::connection_lost, true);
  } catch (...) {
    // A destructor must not throw; the broker's close does not in practice.
  }
  session_open_ = false;
  set_state(state::ended);
  stats_.clients.fetch_sub(1, std::memory_order_relaxed);
}

std::chrono::milliseconds channel::scaled(uint16_t seconds) const {
  return std::chrono::milliseconds(
      static_cast<int64_t>(static_cast<double>(seconds) * 1000.0 * cfg_->keepalive_multiplier));
}

void channel::set_state(state s) {
  auto gauge = [&](state st, int64_t d) {
    if (st == state::active || st == state::awake)
      stats_.clients_active.fetch_add(d, std::memory_order_relaxed);
    else if (st == state::asleep)
      stats_.clients_asleep.fetch_add(d, std::memory_order_relaxed);
  };
  if (s == state_) return;
  gauge(state_, -1);
  gauge(s, 1);
  state_ = s;
  state_since_ = now_;
}

void channel::send(const packet& p) {
  std::string d;
  if (encode(p, d) > 0) out_.push_back(std::move(d));
}

void channel::on_packet(packet& p, time_point now) {
  now_ = now;
  last_rx_ = now;
  if (state_ == state::ended) return;
  std::visit(
      [&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        const bool connected = session_open_ && (state_ == state::active ||
                                                 state_ == state::asleep || state_ == state::awake);
        if constexpr (std::is_same_v<T, connect>) {
          if (state_ == state::authenticating) {
            // Resent while the answer is on its way: the CONNACK will answer both.
            log_->debug("connect_pending client={} peer={}", client_id_, peer_);
          } else {
            on_connect(m);
          }
        } else if constexpr (std::is_same_v<T, willtopic>) {
          if (m.type == msg_type::willtopic && state_ == state::will_topic)
            on_willtopic(m);
          else if (m.type == msg_type::willtopicupd && connected)
            on_will_update(m);
        } else if constexpr (std::is_same_v<T, willmsg>) {
          if (m.type == msg_type::willmsg && state_ == state::will_msg)
            on_willmsg(m);
          else if (m.type == msg_type::willmsgupd && connected)
            on_will_update(m);
        } else if constexpr (std::is_same_v<T, disconnect>) {
          on_disconnect(m);
        } else if constexpr (std::is_same_v<T, pingreq>) {
          on_pingreq(m);
        } else if (!connected) {
          log_->debug("ignored type={} client={} state={}", to_string(type_of(p)), client_id_,
                      to_string(state_));
        } else if constexpr (std::is_same_v<T, publish>) {
          on_publish(m);
        } else if constexpr (std::is_same_v<T, puback>) {
          on_puback(m);
        } else if constexpr (std::is_same_v<T, msg_id_only>) {
          if (m.type == msg_type::pubrec)
            on_pubrec(m.msg_id);
          else if (m.type == msg_type::pubrel)
            on_pubrel(m.msg_id);
          else if (m.type == msg_type::pubcomp)
            on_pubcomp(m.msg_id);
        } else if constexpr (std::is_same_v<T, reg>) {
          on_register(m);
        } else if constexpr (std::is_same_v<T, regack>) {
          on_regack(m);
        } else if constexpr (std::is_same_v<T, subscribe>) {
          on_subscribe(m);
        } else {
          log_->debug("ignored type={} client={}", to_string(type_of(p)), client_id_);
        }
      },
      p);
}

// ---------------------------------------------------------------------------- connect

void channel::on_connect(connect& c) {
  if (c.protocol_id != 0x01) {
    refuse(return_code::not_supported, "protocol_id");
    return;
  }
  client_id_ = c.client_id;
  keepalive_ = c.duration;
  will_draft_.reset();
  const bool will = c.f.will;
  pending_connect_ = std::move(c);
  if (will) {
    set_state(state::will_topic);
    state_since_ = now_;
    send(willtopicreq{});
    return;
  }
  finish_connect();
}

void channel::on_willtopic(willtopic& w) {
  if (w.empty) {  // no will after all
    finish_connect();
    return;
  }
  if (validate_topic_name(w.topic, broker_.limits().topics) != errc::ok) {
    refuse(return_code::not_supported, "will_topic_invalid");
    return;
  }
  message m;
  m.topic = std::move(w.topic);
  m.qos = static_cast<uint8_t>(std::clamp<int>(w.f.qos, 0, 2));
  m.retain = w.f.retain;
  will_draft_ = std::move(m);
  set_state(state::will_msg);
  send(willmsgreq{});
}

void channel::on_willmsg(willmsg& w) {
  if (will_draft_) will_draft_->payload = std::move(w.msg);
  finish_connect();
}

void channel::refuse(return_code rc, std::string_view why) {
  send(connack{rc});
  stats_.connects_refused.fetch_add(1, std::memory_order_relaxed);
  log_->info("connect_refused client={} peer={} reason={} rc={}", client_id_, peer_, why,
             static_cast<int>(rc));
  pending_connect_.reset();
  // A refused reconnection ends the previous connection too.
  end(close_reason::connection_lost, true);
}

void channel::finish_connect() {
  credentials cr;
  cr.protocol = "mqttsn";
  cr.protocol_version = pending_connect_->protocol_id;
  cr.client_id = pending_connect_->client_id;
  cr.peer = peer_;
  cr.listener = cfg_->listener;
  cr.mountpoint = cfg_->mountpoint;
  if (hooks_.make_auth_done) {
    // The answer may need a remote service (HTTP hook): CONNACK when it arrives. The
    // CONNECT (and the will gathered for it) waits in pending_connect_ / will_draft_.
    set_state(state::authenticating);
    state_since_ = now_;
    broker_.authenticate_async(cr, hooks_.make_auth_done(serial_, ++auth_attempt_));
    return;
  }
  connect c = std::move(*pending_connect_);
  pending_connect_.reset();
  connect_authenticated(c, broker_.authenticate(cr));
}

void channel::on_authenticated(uint64_t attempt, result<client_info> r, time_point now) {
  now_ = now;
  if (state_ != state::authenticating || attempt != auth_attempt_ || !pending_connect_) return;
  connect c = std::move(*pending_connect_);
  pending_connect_.reset();
  connect_authenticated(c, std::move(r));
}

void channel::connect_authenticated(connect& c, result<client_info> info) {
  if (!info) {
    refuse(detail::to_return_code(static_cast<errc>(info.error().value())), "authenticate");
    return;
  }
  session_options o;
  o.clean_start = c.f.clean_session;
  o.expiry_interval = c.f.clean_session ? 0 : cfg_->session_expiry;
  o.keepalive = c.duration;
  if (will_draft_) o.will = will_message{make_message(*will_draft_), 0, 0};
  const uint64_t gen = generation_ + 1;
  auto opened = broker_.open_session(info.value(), o, hooks_.make_sink(serial_, gen));
  if (!opened) {
    refuse(detail::to_return_code(static_cast<errc>(opened.error().value())), "open_session");
    return;
  }
  generation_ = gen;
  const bool resumed = session_open_ && !c.f.clean_session && opened.value().present;
  // Deliveries pulled for the previous session: QoS 1/2 ones the broker sends again itself
  // (they are its inflight); QoS 0 ones survive only a resumed session.
  inflight_.clear();
  register_.reset();
  held_acks_.clear();
  if (resumed) {
    std::erase_if(queue_, [](const delivery& d) { return d.qos > 0 || d.pubrel; });
  } else {
    queue_.clear();
    registry_.clear();
    recent_qos1_.clear();
  }
  session_ = opened.value().session;
  session_open_ = true;
  client_ = std::move(info).value();
  client_.refuse_over_rate = true;  // PUBACK "congestion" over the rate: the client retries
  client_id_ = client_.client_id;
  sleep_duration_ = 0;
  send(connack{return_code::accepted});
  set_state(state::active);
  stats_.connects.fetch_add(1, std::memory_order_relaxed);
  log_->info("connected client={} peer={} keepalive={} clean={} will={} present={}", client_id_,
             peer_, keepalive_, c.f.clean_session, will_draft_.has_value(), opened.value().present);
  ready_ = true;
  pump();
}

// ---------------------------------------------------------------------------- ending

void channel::end(close_reason r, bool send_will) {
  if (session_open_) {
    session_open_ = false;
    broker_.close(*session_, r, send_will);
  }
  session_.reset();
  queue_.clear();
  inflight_.clear();
  held_acks_.clear();
  register_.reset();
  set_state(state::ended);
}

void channel::lost(close_reason r, std::string_view why) {
  stats_.clients_lost.fetch_add(1, std::memory_order_relaxed);
  log_->info("lost client={} peer={} reason={} state={}", client_id_, peer_, why,
             to_string(state_));
  end(r, true);
}

void channel::shutdown() {
  if (session_open_) {
    session_open_ = false;
    broker_.close(*session_, close_reason::server_shutdown, false);
  }
  end(close_reason::server_shutdown, false);
}

void channel::on_session_closed(uint64_t generation, close_reason r, time_point now) {
  now_ = now;
  if (generation != generation_ || !session_open_) return;
  // The broker ended our hold (take-over by another protocol's client, kick, shutdown):
  // tell the client it is no longer connected.
  session_open_ = false;
  send(disconnect{});
  log_->info("closed_by_broker client={} peer={} reason={}", client_id_, peer_,
             static_cast<int>(r));
  end(r, false);
}

void channel::on_deliveries_ready(uint64_t generation, time_point now) {
  now_ = now;
  if (generation != generation_ || !session_open_) return;
  ready_ = true;
  // A reconnecting client waits for its CONNACK before any delivery.
  if (state_ == state::authenticating) return;
  pump();
}

void channel::on_unthrottled(uint64_t generation, time_point now) {
  now_ = now;
  if (generation != generation_ || held_acks_.empty()) return;
  send(held_acks_.front());
  held_acks_.pop_front();
}

}  // namespace edgegw::mqttsn
