// stomp::channel: the input loop, CONNECT/STOMP (version and heart-beat negotiation,
// authentication, the broker session), heart-beat timers, ERROR frames and closing.
#include "protocols/stomp/adapter/channel.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "protocols/stomp/adapter/detail/log.hpp"

namespace edgegw::stomp {

namespace {

using std::chrono::milliseconds;

// "cx,cy" -> {cx, cy}; nullopt when malformed.
std::optional<std::pair<uint64_t, uint64_t>> parse_heart_beat(std::string_view s) {
  const auto comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view t, uint64_t& v) {
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    return !t.empty() && ec == std::errc() && p == t.data() + t.size();
  };
  uint64_t a = 0, b = 0;
  if (!num(s.substr(0, comma), a) || !num(s.substr(comma + 1), b)) return std::nullopt;
  return std::pair{a, b};
}

// The highest version both sides speak; nullopt when none.
std::optional<version> negotiate(const std::string* accept) {
  if (!accept) return version::v10;  // no accept-version: a 1.0 client
  std::optional<version> best;
  std::string_view s = *accept;
  while (!s.empty()) {
    const auto comma = s.find(',');
    std::string_view v = s.substr(0, comma);
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    std::optional<version> got;
    if (v == "1.0") got = version::v10;
    if (v == "1.1") got = version::v11;
    if (v == "1.2") got = version::v12;
    if (got && (!best || *got > *best)) best = got;
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return best;
}

std::string_view error_text(errc e) {
  switch (e) {
    case errc::bad_credentials:
      return "bad login or passcode";
    case errc::not_authorized:
      return "not authorized";
    case errc::banned:
      return "client banned";
    case errc::client_id_invalid:
      return "client-id refused";
    case errc::server_busy:
    case errc::server_unavailable:
    case errc::server_shutting_down:
      return "server unavailable";
    case errc::quota_exceeded:
      return "quota exceeded";
    case errc::topic_name_invalid:
      return "invalid destination";
    case errc::topic_filter_invalid:
      return "invalid destination filter";
    case errc::wildcard_subscriptions_not_supported:
      return "wildcard subscriptions not supported";
    case errc::packet_too_large:
      return "frame too large";
    default:
      return to_string(e);
  }
}

}  // namespace

channel::channel(std::shared_ptr<const settings> cfg, broker& b, std::string peer, hooks h,
                 time_point now)
    : cfg_(std::move(cfg)),
      broker_(b),
      peer_(std::move(peer)),
      hooks_(std::move(h)),
      decoder_(cfg_->frame_limits),
      now_(now),
      accepted_at_(now),
      last_rx_(now),
      last_tx_(now) {}

channel::~channel() {
  try {
    end_session(close_reason::connection_lost, false);
  } catch (...) {
  }
}

std::size_t channel::on_bytes(std::span<const uint8_t> in, time_point now) {
  now_ = now;
  if (closing_) return in.size();
  if (!in.empty()) last_rx_ = now;
  auto& metrics = broker_.metrics();
  std::size_t used = 0;
  needed_ = 0;
  while (!closing_ && !throttled_ && !authenticating_ && used < in.size()) {
    auto r = decoder_.decode(in.subspan(used), frame_);
    if (r.status == decode_status::need_more) {
      needed_ = r.needed;
      break;
    }
    if (r.status == decode_status::malformed || r.status == decode_status::too_large) {
      metrics.packets_malformed.fetch_add(1, std::memory_order_relaxed);
      fail(r.status == decode_status::too_large ? "frame too large" : "malformed frame", r.error,
           nullptr,
           r.status == decode_status::too_large ? close_reason::quota_exceeded
                                                : close_reason::malformed);
      metrics.bytes_received.fetch_add(in.size() - used, std::memory_order_relaxed);
      return in.size();
    }
    used += r.consumed;
    metrics.bytes_received.fetch_add(r.consumed, std::memory_order_relaxed);
    if (r.status == decode_status::frame) dispatch(frame_);
  }
  return used;
}

void channel::dispatch(frame& f) {
  const std::string& c = f.command;
  if (!connected_) {
    if (c == "CONNECT" || c == "STOMP") {
      handle_connect(f);
    } else {
      fail("not connected", "the first frame must be CONNECT or STOMP", &f,
           close_reason::protocol_error);
    }
    return;
  }
  if (c == "SEND") {
    if (!hold_in_transaction(f) && apply_send(f)) send_receipt(f);
  } else if (c == "SUBSCRIBE") {
    handle_subscribe(f);
  } else if (c == "UNSUBSCRIBE") {
    handle_unsubscribe(f);
  } else if (c == "ACK" || c == "NACK") {
    if (c == "NACK" && protocol_version() == version::v10) {
      broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
      fail("unknown command", "NACK is not part of STOMP 1.0", &f, close_reason::protocol_error);
      return;
    }
    if (!hold_in_transaction(f) && apply_ack(f, c == "ACK")) send_receipt(f);
  } else if (c == "BEGIN") {
    handle_begin(f);
  } else if (c == "COMMIT") {
    handle_commit(f);
  } else if (c == "ABORT") {
    handle_abort(f);
  } else if (c == "DISCONNECT") {
    send_receipt(f);
    detail::log()->debug("disconnect client={} peer={}", client_id_, peer_);
    close(close_reason::normal, false);
  } else if (c == "CONNECT" || c == "STOMP") {
    fail("already connected", "a second CONNECT on one connection", &f,
         close_reason::protocol_error);
  } else {
    broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
    fail("unknown command", c, &f, close_reason::protocol_error);
  }
}

void channel::handle_connect(frame& f) {
  auto ver = negotiate(f.find("accept-version"));
  if (!ver) {
    frame e;
    e.command = "ERROR";
    e.add("version", "1.0,1.1,1.2");
    e.add("message", "unsupported protocol version");
    e.add("content-type", "text/plain");
    e.body = "Supported protocol versions are 1.0 1.1 1.2";
    send_frame(e);
    close(close_reason::protocol_error, false);
    return;
  }
  decoder_.set_version(*ver);

  // Heart-beats (1.1+): we send every max(ours, client's cy); we expect every
  // max(client's cx, ours). A client may not ask for less than heartbeat_floor.
  uint64_t cx = 0, cy = 0;
  if (*ver != version::v10) {
    if (const auto* hb = f.find("heart-beat")) {
      auto p = parse_heart_beat(*hb);
      if (!p) {
        fail("malformed heart-beat header", *hb, &f, close_reason::protocol_error);
        return;
      }
      std::tie(cx, cy) = *p;
    }
  }
  const uint64_t floor = static_cast<uint64_t>(cfg_->heartbeat_floor.count());
  const uint64_t sx = static_cast<uint64_t>(cfg_->heartbeat_send.count());
  const uint64_t sy = static_cast<uint64_t>(cfg_->heartbeat_receive.count());
  constexpr uint64_t cap = 24ull * 3600 * 1000;  // a day: keeps time_point arithmetic sane
  if (sx && cy) send_every_ = milliseconds(std::min(cap, std::max({sx, cy, floor})));
  if (sy && cx) expect_every_ = milliseconds(std::min(cap, std::max({sy, cx, floor})));

  credentials creds;
  creds.protocol = "stomp";
  creds.protocol_version = *ver == version::v10 ? 10 : *ver == version::v11 ? 11 : 12;
  if (const auto* id = f.find("client-id")) creds.client_id = *id;
  if (const auto* login = f.find("login")) creds.username = *login;
  if (const auto* pass = f.find("passcode")) creds.password = *pass;
  creds.peer = peer_;
  creds.listener = cfg_->listener;
  creds.mountpoint = cfg_->mountpoint;
  connecting_version_ = *ver;
  connect_receipt_.reset();
  if (const auto* r = f.find("receipt")) connect_receipt_ = *r;
  if (hooks_.on_authenticated) {
    // The answer may need a remote service: frames after CONNECT wait unread (the input
    // is not consumed, reading pauses) until on_authenticated.
    authenticating_ = true;
    broker_.authenticate_async(creds, hooks_.on_authenticated);
    return;
  }
  connect_authenticated(broker_.authenticate(creds));
}

void channel::on_authenticated(result<client_info> r, time_point now) {
  now_ = now;
  if (!authenticating_) return;
  authenticating_ = false;
  if (closing_) return;  // connect time-out or the socket closed meanwhile
  connect_authenticated(std::move(r));
}

void channel::connect_authenticated(result<client_info> who) {
  // The CONNECT frame itself is gone (frame_ is reused): its receipt header is kept.
  frame cause;
  if (connect_receipt_) cause.add("receipt", *connect_receipt_);
  const frame* f = &cause;
  const version ver = connecting_version_;
  const uint64_t sx = static_cast<uint64_t>(cfg_->heartbeat_send.count());
  const uint64_t sy = static_cast<uint64_t>(cfg_->heartbeat_receive.count());
  if (!who) {
    const auto e = static_cast<errc>(who.error().value());
    fail(e == errc::bad_credentials || e == errc::not_authorized ? "authentication failed"
                                                                 : error_text(e),
         error_text(e), f, close_reason::not_authorized);
    return;
  }
  session_options opts;
  opts.clean_start = true;
  opts.expiry_interval = 0;
  opts.receive_maximum = std::max<uint16_t>(1, cfg_->max_unacked);
  opts.keepalive = static_cast<uint16_t>(std::min<int64_t>(65535, expect_every_.count() / 1000));
  auto opened = broker_.open_session(who.value(), opts, hooks_.sink);
  if (!opened) {
    const auto e = static_cast<errc>(opened.error().value());
    fail("session refused", error_text(e), f, close_reason::protocol_error);
    return;
  }
  session_ = opened.value().session;
  client_id_ = session_->client().client_id;
  connected_ = true;

  frame ok;
  ok.command = "CONNECTED";
  ok.add("version", std::string(to_string(ver)));
  if (ver != version::v10) ok.add("heart-beat", std::to_string(sx) + "," + std::to_string(sy));
  ok.add("server", cfg_->server);
  ok.add("session", client_id_);
  send_frame(ok);
  detail::log()->info("connected client={} peer={} version={} heart_beat={},{}", client_id_, peer_,
                      to_string(ver), send_every_.count(), expect_every_.count());
}

void channel::send_frame(const frame& f) {
  const std::size_t before = out_.size();
  encode(f, protocol_version(), out_, f.command != "CONNECTED");
  last_tx_ = now_;
  broker_.metrics().bytes_sent.fetch_add(out_.size() - before, std::memory_order_relaxed);
}

void channel::send_receipt(const frame& f) {
  const auto* r = f.find("receipt");
  if (!r || closing_) return;
  frame rc;
  rc.command = "RECEIPT";
  rc.add("receipt-id", *r);
  send_frame(rc);
}

void channel::fail(std::string_view message, std::string_view detail_text, const frame* cause,
                   close_reason reason) {
  if (closing_) return;
  frame e;
  e.command = "ERROR";
  e.add("message", std::string(message));
  if (cause) {
    if (const auto* r = cause->find("receipt")) e.add("receipt-id", *r);
  }
  e.add("content-type", "text/plain");
  e.body.assign(detail_text);
  send_frame(e);
  // Client misbehaviour at debug, so one bad client cannot flood the log.
  detail::log()->debug("error_frame client={} peer={} message=\"{}\" detail=\"{}\"", client_id_,
                       peer_, message, detail_text);
  close(reason, false);
}

void channel::on_tick(time_point now) {
  now_ = now;
  if (closing_) return;
  if (!connected_) {
    if (now >= accepted_at_ + cfg_->connect_timeout)
      fail("connect timeout", "no CONNECT frame in time", nullptr, close_reason::protocol_error);
    return;
  }
  if (expect_every_.count() > 0 && !throttled_ &&
      now >= last_rx_ + expect_every_ * cfg_->heartbeat_grace) {
    fail("heart-beat timeout", "nothing received from the client in time", nullptr,
         close_reason::keepalive_timeout);
    return;
  }
  if (send_every_.count() > 0 && now >= last_tx_ + send_every_) {
    out_.push_back('\n');
    last_tx_ = now;
  }
}

std::optional<channel::time_point> channel::next_deadline() const noexcept {
  if (closing_) return std::nullopt;
  if (!connected_) return accepted_at_ + cfg_->connect_timeout;
  std::optional<time_point> at;
  if (expect_every_.count() > 0 && !throttled_)
    at = last_rx_ + expect_every_ * cfg_->heartbeat_grace;
  if (send_every_.count() > 0) {
    const auto t = last_tx_ + send_every_;
    if (!at || t < *at) at = t;
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
  last_rx_ = now;  // the heart-beat clock restarts: we were not reading
}

void channel::on_session_closed(close_reason r, time_point now) {
  now_ = now;
  if (closing_) return;
  fail(r == close_reason::taken_over ? "session taken over"
       : r == close_reason::kicked   ? "kicked"
                                     : "server shutting down",
       "the broker closed this session", nullptr, r);
}

void channel::on_transport_closed() {
  if (!close_reason_) close_reason_ = close_reason::connection_lost;
  closing_ = true;
  end_session(*close_reason_, false);
}

void channel::close(close_reason reason, bool send_will) {
  if (closing_) return;
  closing_ = true;
  close_reason_ = reason;
  end_session(reason, send_will);
}

void channel::end_session(close_reason reason, bool send_will) {
  transactions_.clear();
  unacked_.clear();  // the broker drops its inflight copies with the session
  batch_.clear();
  batch_pos_ = 0;
  if (!session_) return;
  auto s = std::move(session_);
  session_.reset();
  broker_.close(*s, reason, send_will);
  detail::log()->info("disconnected client={} peer={} reason={}", client_id_, peer_,
                      static_cast<int>(reason));
}

}  // namespace edgegw::stomp
