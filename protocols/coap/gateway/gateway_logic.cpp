// See gateway_logic.hpp. This file: request routing, client sessions, connection mode and
// publishing. gateway_observe.cpp: observers, notifications and timers.
#include "protocols/coap/stack/refusal_code.hpp"
#include "protocols/coap/gateway/gateway_logic.hpp"

#include <cmath>
#include <random>

#include "gateway/api/log.hpp"
#include "protocols/coap/gateway/detail/gateway_sink.hpp"

namespace edgegw::coap {

namespace {

const char* reason_name(close_reason r) {
  switch (r) {
    case close_reason::normal:
      return "normal";
    case close_reason::keepalive_timeout:
      return "heartbeat_timeout";
    case close_reason::taken_over:
      return "taken_over";
    case close_reason::kicked:
      return "kicked";
    case close_reason::server_shutdown:
      return "shutdown";
    default:
      return "other";
  }
}

std::string random_token() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char hexd[] = "0123456789abcdef";
  uint64_t v = rng();
  std::string s(16, '0');
  for (auto& ch : s) {
    ch = hexd[v & 15];
    v >>= 4;
  }
  return s;
}

}  // namespace

gateway_logic::gateway_logic(broker& b, gateway_settings s, transport& t)
    : broker_(b),
      settings_(std::move(s)),
      transport_(t),
      self_(std::make_shared<gateway_logic*>(this)),
      conn_rate_(settings_.max_conn_rate, settings_.max_conn_rate, clock::time_point{}) {}

response gateway_logic::refuse(const resolved& r) {
  if (!r.error) return response{0, {}, {}, {}, {}};  // deferred
  auto out = fail(r.error);
  if (r.max_age) out.max_age = r.max_age;
  return out;
}

gateway_logic::~gateway_logic() {
  *self_ = nullptr;
  shutdown();
}

std::vector<std::string> gateway_logic::client_ids() const {
  std::vector<std::string> ids;
  for (const auto& [k, c] : clients_) ids.push_back(c->info.client_id);
  return ids;
}

response gateway_logic::fail(uint16_t code, std::string why) {
  switch (code) {
    case 401:
      ++counters_.unauthorized;
      break;
    case 403:
      ++counters_.forbidden;
      break;
    case 503:
      ++counters_.over_limit;
      break;
    default:
      ++counters_.bad_requests;
      break;
  }
  if (code == 400 || code == 413) broker_.metrics().packets_malformed.fetch_add(1);
  response r;
  r.code = code;
  r.payload = std::move(why);
  return r;
}

response gateway_logic::handle(const request& req, clock::time_point now) {
  // A resumed request's authentication answer is used by this call or not at all (its
  // client may have been opened meanwhile by another request).
  struct drop_answer {
    gateway_logic& g;
    const observer_id& id;
    ~drop_answer() {
      if (!g.auth_answers_.empty()) g.auth_answers_.erase(std::make_pair(id.transport, id.token));
    }
  } drop{*this, req.observer};
  ++counters_.requests;
  bool bad = false;
  route rt = map_path(req.path, &bad);
  if (bad) return fail(400, "bad path");
  if (rt.kind == route_kind::unknown) return fail(404);
  request_params p;
  std::string why;
  if (!parse_query(req.query, p, &why)) return fail(400, why);
  if (rt.kind == route_kind::connection) return on_connection(req, p, now);
  // DELETE (and anything but GET/POST/PUT) on /ps: 4.05 as EMQX, before opening a session.
  if (req.verb == method::del || req.verb == method::other) return fail(405);

  auto res = resolve(req, p, now);
  client* c = res.c;
  if (!c) return refuse(res);
  c->last_seen = now;
  auto obs = observe_from(req.observe);
  switch (req.verb) {
    case method::post:
    case method::put:
      return publish(*c, req, p, rt.topic);
    case method::get:
      if (obs == observe_action::register_) return observe(*c, req, p, rt.topic);
      if (obs == observe_action::deregister) return unobserve(*c, rt.topic);
      return read_retained(*c, rt.topic);
    default:
      return fail(405);
  }
}

// POST connects, PUT is the heartbeat, DELETE disconnects (EMQX connection mode).
response gateway_logic::on_connection(const request& req, const request_params& p,
                                      clock::time_point now) {
  if (req.verb != method::post && req.verb != method::put && req.verb != method::del)
    return fail(405);
  if (!p.clientid || p.clientid->empty()) return fail(400, "clientid required");
  if (req.verb == method::post) {
    auto res = open_client(req, *p.clientid, p, true, now);
    client* c = res.c;
    if (!c) return refuse(res);
    response r;
    r.code = 201;
    r.payload = c->token;
    return r;
  }
  auto it = clients_.find(*p.clientid);
  if (it == clients_.end() || it->second->token.empty() || !p.token ||
      *p.token != it->second->token)
    return fail(401);
  if (req.verb == method::put) {
    it->second->last_seen = now;
    return response{204, {}, {}, {}, {}};
  }
  if (req.verb == method::del) {
    drop_client(it->first, close_reason::normal, true);
    return response{202, {}, {}, {}, {}};
  }
  return fail(405);
}

gateway_logic::resolved gateway_logic::resolve(const request& req, const request_params& p,
                                               clock::time_point now) {
  if (settings_.connection_required || p.token) {
    if (!p.clientid || !p.token) return {nullptr, 401};
    auto it = clients_.find(*p.clientid);
    if (it == clients_.end() || it->second->token.empty() || it->second->token != *p.token)
      return {nullptr, 401};
    return {it->second.get(), 0};
  }
  std::string key = p.clientid && !p.clientid->empty() ? *p.clientid : "coap-" + req.peer;
  auto it = clients_.find(key);
  if (it != clients_.end()) {
    client& c = *it->second;
    if (!c.token.empty()) return {nullptr, 401};  // a connection-mode client needs its token
    bool same =
        (!p.username || p.username == c.username) && (!p.password || p.password == c.password);
    if (same) return {&c, 0};
  }
  return open_client(req, key, p, false, now);
}

gateway_logic::resolved gateway_logic::open_client(const request& req, const std::string& key,
                                                   const request_params& p, bool connection_mode,
                                                   clock::time_point now) {
  if (key.size() > broker_.limits().max_clientid_len) return {nullptr, 400};
  bool replacing = clients_.count(key) > 0;
  if (!replacing && clients_.size() >= settings_.max_clients) return {nullptr, 503};
  credentials cr;
  cr.protocol = "coap";
  cr.client_id = key;
  cr.username = p.username;
  cr.password = p.password;
  cr.peer = req.peer;
  cr.listener = req.listener;
  cr.mountpoint = settings_.mountpoint;
  // The authentication source may answer later (HTTP hook): then the request is deferred
  // and resumed with the answer (transport::resume), which this call takes.
  const auto ref = std::make_pair(req.observer.transport, req.observer.token);
  std::optional<result<client_info>> answer;
  if (auto a = auth_answers_.find(ref); a != auth_answers_.end()) {
    answer = std::move(a->second);
    auth_answers_.erase(a);
  } else {
    if (authenticating_ >= settings_.max_clients) return {nullptr, 503};
    // max_conn_rate, like a listener's (bursts of one second's worth), but refusing: a
    // UDP client has no backlog to wait in.
    if (conn_rate_.limited() && conn_rate_.tokens(now) < 1) {
      const double wait = (1 - conn_rate_.tokens(now)) / conn_rate_.rate();
      log::get("coap")->debug("session_refused client={} peer={} reason=max_conn_rate", key,
                              req.peer);
      return {nullptr, 503, static_cast<uint32_t>(std::max(1.0, std::ceil(wait)))};
    }
    conn_rate_.consume(1, now);
    auto inline_answer = std::make_shared<std::optional<result<client_info>>>();
    auto waiting = std::make_shared<bool>(false);
    ++authenticating_;
    broker_.authenticate_async(cr, [inline_answer, waiting, self = self_, &t = transport_,
                                    id = req.observer, ref](result<client_info> r) {
      if (!*waiting) {  // answered within authenticate_async: go on synchronously
        *inline_answer = std::move(r);
        return;
      }
      t.post([self, &t, id, ref, r = std::move(r)]() mutable {
        if (!*self) return;
        gateway_logic& g = **self;
        --g.authenticating_;
        g.auth_answers_.insert_or_assign(ref, std::move(r));
        t.resume(id);
      });
    });
    if (!inline_answer->has_value()) {
      *waiting = true;
      ++counters_.deferred;
      return {nullptr, 0};
    }
    --authenticating_;
    answer = std::move(*inline_answer);
  }
  auto& info = *answer;
  if (!info) {
    log::get("coap")->info("auth_failed client={} peer={} reason={}", key, req.peer,
                           info.error().message());
    // Any refusal at authentication is 4.01, except load and client id problems.
    auto e = static_cast<errc>(info.error().value());
    uint16_t code = refusal_code(e);
    return {nullptr, code == 503 || e == errc::client_id_invalid ? code : uint16_t(401)};
  }
  if (replacing) drop_client(key, close_reason::normal, true);
  auto c = std::make_unique<client>();
  c->key = key;
  c->info = std::move(info).value();
  c->username = p.username;
  c->password = p.password;
  c->last_seen = now;
  if (connection_mode) c->token = random_token();
  c->snk = std::make_shared<sink>(transport_, self_, key);
  session_options opts;
  opts.clean_start = true;
  opts.expiry_interval = 0;
  opts.keepalive = static_cast<uint16_t>(
      std::min<int64_t>(65535, std::chrono::duration_cast<std::chrono::seconds>(
                                   connection_mode ? settings_.heartbeat : settings_.idle_timeout)
                                   .count()));
  auto opened = broker_.open_session(c->info, opts, c->snk);
  if (!opened) return {nullptr, refusal_code(static_cast<errc>(opened.error().value()))};
  c->sess = opened.value().session;
  log::get("coap")->info("session_open client={} peer={} mode={}", c->info.client_id, req.peer,
                         connection_mode ? "connection" : "connectionless");
  auto* raw = c.get();
  clients_[key] = std::move(c);
  counters_.clients.store(clients_.size(), std::memory_order_relaxed);
  return {raw, 0};
}

response gateway_logic::publish(client& c, const request& req, const request_params& p,
                                const std::string& topic) {
  const auto& lim = broker_.limits();
  if (validate_topic_name(topic, lim.topics) != errc::ok) return fail(400, "bad topic");
  if (req.payload.size() > lim.max_packet_size) return fail(413);
  message m;
  m.topic = topic;
  m.payload.assign(req.payload);
  m.qos = p.qos ? *p.qos : (req.confirmable ? 1 : 0);
  m.retain = p.retain.value_or(false);
  if (p.expiry && *p.expiry > 0) m.expire_at_ms = unix_ms_now() + int64_t(*p.expiry) * 1000;
  if (req.content_format)
    m.user_properties.push_back(
        {std::string(content_format_property), std::to_string(*req.content_format)});
  m.from_client = c.info.client_id;
  m.from_protocol = "coap";
  auto size = m.payload.size();
  auto r = broker_.publish(c.info, make_message(std::move(m)));
  if (!r) {
    auto e = static_cast<errc>(r.error().value());
    auto out = fail(refusal_code(e));
    // Over the client's publish rate (limits.max_message_rate): retry after a second.
    if (e == errc::quota_exceeded) out.max_age = 1;
    return out;
  }
  ++counters_.published;
  broker_.metrics().messages_received.fetch_add(1, std::memory_order_relaxed);
  broker_.metrics().bytes_received.fetch_add(size, std::memory_order_relaxed);
  return response{204, {}, {}, {}, {}};
}

response gateway_logic::read_retained(client& c, const std::string& topic) {
  if (validate_topic_name(topic, broker_.limits().topics) != errc::ok)
    return fail(400, "bad topic");
  if (!broker_.authorize(c.info, action::subscribe, topic)) return fail(403);
  auto msgs = broker_.retained(c.info, topic);
  if (msgs.empty()) return fail(404);
  response r;
  r.code = 205;
  r.payload = msgs.front()->payload;
  r.content_format = content_format_of(*msgs.front());
  return r;
}

void gateway_logic::drop_client(const std::string& key, close_reason reason, bool close_session) {
  auto it = clients_.find(key);
  if (it == clients_.end()) return;
  auto c = std::move(it->second);
  clients_.erase(it);
  for (auto u = unconfirmed_.begin(); u != unconfirmed_.end();)
    u = u->second.snk == c->snk.get() ? unconfirmed_.erase(u) : std::next(u);
  counters_.clients.store(clients_.size(), std::memory_order_relaxed);
  for (auto& [f, o] : c->observers) transport_.forget(o.id);
  observer_count_ -= c->observers.size();
  c->observers.clear();
  if (close_session && c->sess) broker_.close(*c->sess, reason, false);
  log::get("coap")->info("session_closed client={} reason={}", c->info.client_id,
                         reason_name(reason));
}

void gateway_logic::shutdown() {
  while (!clients_.empty())
    drop_client(clients_.begin()->first, close_reason::server_shutdown, true);
}

}  // namespace edgegw::coap
