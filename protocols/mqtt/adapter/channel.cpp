// mqtt::channel: the input loop, packet dispatch, timers and closing. CONNECT lives in
// channel_connect.cpp, the other inbound packets in channel_inbound.cpp, deliveries to the
// client in channel_outbound.cpp.
#include "protocols/mqtt/adapter/channel.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "protocols/mqtt/adapter/detail/log.hpp"
#include "protocols/mqtt/adapter/detail/reason_map.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt {

namespace {

// The protocol level byte of a CONNECT at the front of `in`, if the bytes reach it: lets a
// CONNECT the codec refuses be answered in the CONNACK format its client reads.
std::optional<uint8_t> peek_connect_level(std::span<const uint8_t> in) {
  if (in.empty() || (in[0] >> 4) != static_cast<uint8_t>(packet_type::connect)) return {};
  std::size_t i = 1;
  for (int k = 0;; ++k) {
    if (k == 4 || i >= in.size()) return {};
    if ((in[i++] & 0x80) == 0) break;
  }
  if (i + 2 > in.size()) return {};
  i += 2 + ((std::size_t{in[i]} << 8) | in[i + 1]);
  if (i >= in.size()) return {};
  return in[i];
}

}  // namespace

channel::channel(std::shared_ptr<const settings> cfg, broker& b, peer_info peer,
                 std::shared_ptr<link> l, time_point now)
    : cfg_(std::move(cfg)),
      broker_(b),
      peer_(std::move(peer.address)),
      cert_cn_(peer.cert_common_name.empty()
                   ? nullptr
                   : std::make_unique<std::string>(std::move(peer.cert_common_name))),
      link_(std::move(l)),
      now_(now),
      accepted_at_(now),
      last_rx_(now) {}

channel::~channel() {
  try {
    end_session(close_reason::connection_lost, true);
  } catch (...) {
    // A destructor must not throw; the broker's close is noexcept in practice.
  }
}

std::size_t channel::on_bytes(std::span<const uint8_t> in, time_point now) {
  now_ = now;
  if (closing_) return in.size();  // nothing more is read from a closing connection
  if (!in.empty()) last_rx_ = now;
  auto& metrics = broker_.metrics();
  std::size_t used = 0;
  needed_ = 0;
  while (!closing_ && !throttled_ && !authenticating_ && used < in.size()) {
    auto rest = in.subspan(used);
    packet p;
    decode_result r = decode(rest, ver_, cfg_->max_packet_size, p);
    if (r.status == decode_status::need_more) {
      needed_ = static_cast<uint32_t>(r.needed);
      break;
    }
    if (r.status != decode_status::ok) {
      metrics.bytes_received.fetch_add(rest.size(), std::memory_order_relaxed);
      used = in.size();
      on_decode_error(r, rest);
      break;
    }
    used += r.consumed;
    metrics.bytes_received.fetch_add(r.consumed, std::memory_order_relaxed);
    dispatch(p);
  }
  pump(now);  // acknowledgements may have opened the client's inflight window
  return used;
}

void channel::dispatch(packet& p) {
  if (phase_ == phase::awaiting_connect && !std::holds_alternative<connect>(p)) {
    // [MQTT-3.1.0-1]: the first packet must be CONNECT; close without answering.
    broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
    closing_ = true;
    close_reason_ = close_reason::protocol_error;
    detail::log()->debug("connect_missing peer={} first_packet_type={}", peer_,
                         static_cast<int>(p.index()));
    return;
  }
  std::visit([this](auto& x) { handle(x); }, p);
}

void channel::on_decode_error(const decode_result& r, std::span<const uint8_t> in) {
  broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
  uint8_t code = reason_code_for(r.status);
  const char* why = r.error ? r.error : "";
  if (phase_ == phase::awaiting_connect) {
    // Answer a broken CONNECT with CONNACK where the client's version defines one.
    auto level = peek_connect_level(in);
    ver_ = level == static_cast<uint8_t>(version::v5) ? version::v5 : version::v311;
    if (r.status == decode_status::unsupported_version || ver_ == version::v5) {
      refuse(code, why);
    } else {
      closing_ = true;
      close_reason_ = r.status == decode_status::malformed ? close_reason::malformed
                                                           : close_reason::protocol_error;
      detail::log()->debug("connect_malformed peer={} status={} error=\"{}\"", peer_,
                           to_string(r.status), why);
    }
    return;
  }
  close(
      r.status == decode_status::malformed ? close_reason::malformed : close_reason::protocol_error,
      true, code, why);
}

void channel::handle(pingreq&) {
  send(pingresp{});
}

void channel::handle(auth&) {
  // We never offer enhanced authentication (CONNECT with a method is refused), so any AUTH
  // is out of place [MQTT-4.12.0-1].
  broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
  close(close_reason::protocol_error, true, reason::protocol_error, "unexpected AUTH");
}

void channel::handle(disconnect& d) {
  if (ver_ == version::v5 && d.props.session_expiry_interval) {
    // [MQTT-3.14.2-2]: a session that was to end with the connection cannot be kept now.
    if (session_expiry_ == 0 && *d.props.session_expiry_interval != 0) {
      broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
      close(close_reason::protocol_error, true, reason::protocol_error,
            "session expiry set by DISCONNECT after 0 in CONNECT");
      return;
    }
    session_expiry_ = *d.props.session_expiry_interval;
    if (session_) session_->set_expiry_interval(session_expiry_);
  }
  // Only v5 "Disconnect with Will Message" keeps the will (as mosquitto and EMQX do).
  bool will = ver_ == version::v5 && d.reason_code == reason::disconnect_with_will_message;
  close(will ? close_reason::normal_with_will : close_reason::normal, will, 0,
        will ? "client DISCONNECT with will" : "client DISCONNECT");
}

void channel::unexpected(packet_type t) {
  broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
  detail::log()->debug("unexpected_packet client={} peer={} type={}", client().client_id, peer_,
                       static_cast<int>(t));
  close(close_reason::protocol_error, true, reason::protocol_error, "client sent a server packet");
}

void channel::on_tick(time_point now) {
  now_ = now;
  if (closing_) return;
  if (phase_ == phase::awaiting_connect) {
    if (now - accepted_at_ >= cfg_->idle_timeout) {
      closing_ = true;
      close_reason_ = close_reason::keepalive_timeout;
      detail::log()->debug("idle_timeout peer={}", peer_);
    }
    return;
  }
  // While throttled we are the ones not reading: the client's silence is not its fault.
  if (throttled_) last_rx_ = now;
  if (keepalive_limit_.count() > 0 && now - last_rx_ >= keepalive_limit_) {
    close(close_reason::keepalive_timeout, true, reason::keep_alive_timeout, "keepalive expired");
    return;
  }
  if (retry_active()) {
    ext().retry.resend_due(now, cfg_->retry_interval, [this](const delivery& d) { resend(d); });
  }
}

const client_info& channel::client() const noexcept {
  static const client_info none;
  return session_ ? session_->client() : none;
}

std::optional<channel::time_point> channel::next_deadline() const noexcept {
  if (closing_) return std::nullopt;
  if (phase_ == phase::awaiting_connect) return accepted_at_ + cfg_->idle_timeout;
  std::optional<time_point> at;
  // No keepalive deadline while throttled: on_unthrottled restarts the clock.
  if (keepalive_limit_.count() > 0 && !throttled_) at = last_rx_ + keepalive_limit_;
  if (retry_active()) {
    if (extras_) {
      if (auto r = extras_->retry.next_due(cfg_->retry_interval); r && (!at || *r < *at)) at = r;
    }
  }
  return at;
}

bool channel::wants_read() const noexcept {
  return !closing_ && !throttled_ && !authenticating_ && out_.size() < 2 * cfg_->write_high_water;
}

void channel::on_deliveries_ready(time_point now) {
  ready_ = true;
  pump(now);
}

void channel::on_unthrottled(time_point now) {
  now_ = now;
  if (!throttled_) return;
  throttled_ = false;
  last_rx_ = now;
  if (held_ack_ && !closing_) send(*held_ack_);
  held_ack_.reset();
}

void channel::on_session_closed(close_reason r, time_point now) {
  now_ = now;
  if (closing_) return;
  close(r, true, detail::disconnect_reason(r), "closed by the broker");
}

void channel::on_transport_closed() {
  out_.clear();
  batch_.clear();
  batch_pos_ = 0;
  if (!closing_) {
    closing_ = true;
    close_reason_ = close_reason::connection_lost;
    if (phase_ == phase::connected) {
      detail::log()->info("disconnected client={} peer={} reason=connection_lost",
                          client().client_id, peer_);
    }
  }
  end_session(close_reason::connection_lost, true);
}

void channel::close(close_reason why_reason, bool send_will, uint8_t code, std::string_view why) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = why_reason;
  if (code != 0 && ver_ == version::v5 && phase_ == phase::connected) {
    disconnect d;
    d.reason_code = code;
    send(std::move(d));
  }
  // Client misbehaviour is logged at debug so one bad client cannot flood the log.
  bool routine = why_reason != close_reason::protocol_error &&
                 why_reason != close_reason::malformed &&
                 why_reason != close_reason::quota_exceeded;
  detail::log()->log(routine ? spdlog::level::info : spdlog::level::debug,
                     "disconnected client={} peer={} reason={} code=0x{:02x} why=\"{}\"",
                     client().client_id, peer_, detail::to_string(why_reason), code, why);
  held_ack_.reset();
  batch_.clear();
  batch_pos_ = 0;
  end_session(why_reason, send_will);
}

void channel::end_session(close_reason reason, bool send_will) {
  if (!session_) return;
  auto s = std::move(session_);
  session_.reset();
  if (extras_) extras_->retry.clear();
  broker_.close(*s, reason, send_will);
}

template <class Packet>
void channel::send(const Packet& p) {
  std::size_t n = encode(packet{p}, ver_, out_);
  if (n == 0) {
    detail::log()->error("encode_failed client={} peer={} type={}", client().client_id, peer_,
                         static_cast<int>(packet{p}.index()));
    return;
  }
  broker_.metrics().bytes_sent.fetch_add(n, std::memory_order_relaxed);
}

// The packet types the channel sends (the template is private to the channel's files).
template void channel::send(const connack&);
template void channel::send(const pub_response&);
template void channel::send(const suback&);
template void channel::send(const unsuback&);
template void channel::send(const pingresp&);
template void channel::send(const disconnect&);

}  // namespace edgegw::mqtt
