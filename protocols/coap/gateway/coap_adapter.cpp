// See detail/coap_adapter.hpp.
#include "protocols/coap/gateway/detail/coap_adapter.hpp"

#include "gateway/api/log.hpp"
#include "gateway/net/gateway_status.hpp"

namespace edgegw::coap {

namespace {

method method_of(coap_pdu_code_t c) {
  switch (c) {
    case COAP_REQUEST_CODE_GET:
      return method::get;
    case COAP_REQUEST_CODE_POST:
      return method::post;
    case COAP_REQUEST_CODE_PUT:
      return method::put;
    case COAP_REQUEST_CODE_DELETE:
      return method::del;
    default:
      return method::other;
  }
}

coap_pdu_code_t code_of(uint16_t c) {
  return static_cast<coap_pdu_code_t>(COAP_RESPONSE_CODE(c));
}

void free_payload(coap_session_t*, void* app_ptr) {
  delete static_cast<std::string*>(app_ptr);
}

}  // namespace

coap_adapter::coap_adapter(broker& b, boost::asio::io_context& io, gateway_settings g,
                           stack_settings s, block1_limits bl)
    : broker_(b),
      stack_(io, std::move(s)),
      tick_(io),
      blocks_(bl),
      barrier_timer_(io),
      max_clients_(g.max_clients),
      created_at_ms_(net::unix_now_ms()),
      logic_(std::make_unique<gateway_logic>(b, std::move(g), *this)) {}

coap_adapter::~coap_adapter() {
  logic_.reset();  // forgets its observers while the context lives
  for (auto& [id, t] : tracks_) coap_session_release(t.session);
  tracks_.clear();
  for (auto& [k, o] : observers_) {
    if (o.request) coap_delete_pdu(o.request);
    coap_session_release(o.session);
  }
  observers_.clear();
}

void coap_adapter::start() {
  stack_.start();
  coap_context_t* ctx = stack_.context();
  stack_.user = this;
  unknown_ = coap_resource_unknown_init2(on_request, 0);
  coap_register_request_handler(unknown_, COAP_REQUEST_GET, on_request);
  coap_register_request_handler(unknown_, COAP_REQUEST_POST, on_request);
  // Without a handler libcoap answers DELETE 2.02; the gateway answers 4.05 as EMQX does.
  coap_register_request_handler(unknown_, COAP_REQUEST_DELETE, on_request);
  coap_add_resource(ctx, unknown_);
  coap_resource_t* conn = coap_resource_init(coap_make_str_const("mqtt/connection"), 0);
  for (auto m : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT, COAP_REQUEST_DELETE})
    coap_register_request_handler(conn, m, on_request);
  coap_add_resource(ctx, conn);
  coap_register_nack_handler(ctx, on_nack);
  stack_.on_event = [this](coap_session_t* s, coap_event_t ev) {
    if (ev != COAP_EVENT_SERVER_SESSION_DEL) return;
    auto id = reinterpret_cast<uintptr_t>(coap_session_get_app_data(s));
    if (!id) return;
    blocks_.forget(id);
    drop_track(id);
    if (logic_) logic_->on_transport_gone(id);
  };
  stack_.run();
  schedule_tick();
  started_at_ms_ = net::unix_now_ms();
}

net::service_status coap_adapter::status() const {
  net::gateway_report r;
  r.name = "coap";
  const bool started = started_at_ms_.load() != 0;
  r.running = started && !stop_requested_.load();
  const auto& c = logic_->counters();
  r.current_connections = c.clients.load(std::memory_order_relaxed);
  r.max_connections = max_clients_;
  // endpoints() is filled by start() and not changed afterwards.
  if (started) {
    for (const auto& [name, where] : endpoints())
      r.listeners.push_back(
          {name.ends_with("_dtls") ? "dtls" : "udp", "default", where, r.running});
  }
  r.created_at_ms = created_at_ms_;
  r.started_at_ms = started_at_ms_.load();
  r.messages_received = c.published.load(std::memory_order_relaxed);
  r.messages_sent = c.notifications.load(std::memory_order_relaxed);
  r.messages_dropped = c.observers_lost.load(std::memory_order_relaxed);
  return net::gateway_status(r);
}

void coap_adapter::stop() {
  stop_requested_ = true;
  post([this] {
    if (stopped_) return;
    stopped_ = true;
    const auto& c = logic_->counters();
    log::get("coap")->info(
        "stopping requests={} bad_requests={} unauthorized={} forbidden={} over_limit={} "
        "published={} notifications={} observers_lost={} deferred={}",
        c.requests.load(), c.bad_requests.load(), c.unauthorized.load(), c.forbidden.load(),
        c.over_limit.load(), c.published.load(), c.notifications.load(), c.observers_lost.load(),
        c.deferred.load());
    logic_->shutdown();
    tick_.cancel();
    barrier_timer_.cancel();
    stack_.stop();
  });
}

void coap_adapter::schedule_tick() {
  tick_.expires_after(std::chrono::seconds(1));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    logic_->tick(clock::now());
    if (auto n = blocks_.expire(clock::now()))
      log::get("coap")->debug("block1_expired uploads={}", n);
    stack_.kick();
    schedule_tick();
  });
}

void coap_adapter::post(std::function<void()> fn) {
  boost::asio::post(stack_.io(), [this, fn = std::move(fn)] {
    fn();
    stack_.kick();
  });
}

uint64_t coap_adapter::id_of(coap_session_t* s) {
  auto id = reinterpret_cast<uintptr_t>(coap_session_get_app_data(s));
  if (!id) {
    id = next_id_++;
    coap_session_set_app_data(s, reinterpret_cast<void*>(id));
  }
  return id;
}

void coap_adapter::on_request(coap_resource_t* r, coap_session_t* s, const coap_pdu_t* req,
                              const coap_string_t* query, coap_pdu_t* resp) {
  auto* st = stack::of(coap_session_get_context(s));
  auto* self = st ? static_cast<coap_adapter*>(st->user) : nullptr;
  if (!self || self->stopped_) {
    coap_pdu_set_code(resp, code_of(503));
    return;
  }
  self->handle(r, s, req, query, resp);
}

void coap_adapter::handle(coap_resource_t* r, coap_session_t* s, const coap_pdu_t* req,
                          const coap_string_t* query, coap_pdu_t* resp) {
  request rq;
  rq.verb = method_of(coap_pdu_get_code(req));
  rq.confirmable = coap_pdu_get_type(req) == COAP_MESSAGE_CON;
  std::string request_tag;
  coap_opt_iterator_t it;
  coap_option_iterator_init(req, &it, COAP_OPT_ALL);
  while (coap_opt_t* opt = coap_option_next(&it)) {
    auto value = reinterpret_cast<const char*>(coap_opt_value(opt));
    auto len = coap_opt_length(opt);
    switch (it.number) {
      case COAP_OPTION_URI_PATH:
        rq.path.emplace_back(value, len);
        break;
      case COAP_OPTION_URI_QUERY:
        rq.query.emplace_back(value, len);
        break;
      case COAP_OPTION_OBSERVE:
        rq.observe = coap_decode_var_bytes(coap_opt_value(opt), len);
        break;
      case COAP_OPTION_CONTENT_FORMAT:
        rq.content_format = static_cast<uint16_t>(coap_decode_var_bytes(coap_opt_value(opt), len));
        break;
      case COAP_OPTION_RTAG:
        request_tag.assign(value, len);
        break;
      default:
        break;
    }
  }
  size_t len = 0;
  const uint8_t* data = nullptr;
  if (coap_get_data(req, &len, &data) && data)
    rq.payload = std::string_view(reinterpret_cast<const char*>(data), len);
  // Block-wise upload: the gateway reassembles (see block1_assembly.hpp).
  coap_block_b_t b1{};
  std::string whole;
  const bool blockwise = coap_get_block_b(s, req, COAP_OPTION_BLOCK1, &b1) != 0;
  auto tok = coap_pdu_get_token(req);
  rq.observer.transport = id_of(s);
  rq.observer.token.assign(reinterpret_cast<const char*>(tok.s), tok.length);
  const auto ref = std::make_pair(rq.observer.transport, rq.observer.token);
  // libcoap gives a deferred request (coap_register_async) back once resume() triggered
  // it: a block-wise body was reassembled before and kept here.
  auto deferred = deferred_.find(ref);
  const bool resumed = deferred != deferred_.end() && coap_find_async(s, tok) != nullptr;
  if (resumed) {
    whole = std::move(deferred->second.body);
    deferred_.erase(deferred);
    if (blockwise) rq.payload = whole;
  } else if (blockwise) {
    if (!upload_block(s, req, rq, request_tag, b1, resp, whole)) return;
    rq.payload = whole;
  }
  rq.peer = stack::peer_of(s);
  rq.listener = coap_session_get_proto(s) == COAP_PROTO_DTLS ? stack_.settings().name + "_dtls"
                                                             : stack_.settings().name;

  response out = logic_->handle(rq, clock::now());
  if (out.code == 0) {
    // Waiting for the authentication source: an empty ACK now, the answer later as a
    // separate response (RFC 7252 5.2.2) when resume() triggers it.
    coap_async_t* a = resumed ? nullptr : coap_register_async(s, req, 0);
    if (!a) {
      coap_pdu_set_code(resp, code_of(503));
      return;
    }
    deferred_[ref] = deferred_request{a, std::move(whole)};
    return;
  }
  coap_pdu_set_code(resp, code_of(out.code));
  if (blockwise) {  // the final block's answer names it (RFC 7959 2.3)
    uint8_t buf[4];
    coap_add_option(resp, COAP_OPTION_BLOCK1,
                    coap_encode_var_safe(buf, sizeof buf, (b1.num << 4) | b1.szx), buf);
  }
  if (out.observe) {
    // A new observer: keep its session and a copy of the GET for later notifications.
    auto key = std::make_pair(rq.observer.transport, rq.observer.token);
    auto& e = observers_[key];
    if (!e.session) e.session = coap_session_reference(s);
    if (e.request) coap_delete_pdu(e.request);
    e.request = coap_pdu_duplicate(req, s, tok.length, tok.s, nullptr);
    uint8_t buf[4];
    coap_add_option(resp, COAP_OPTION_OBSERVE, coap_encode_var_safe(buf, sizeof buf, *out.observe),
                    buf);
  }
  if (out.code == 205 && !out.payload.empty()) {
    auto* body = new std::string(std::move(out.payload));
    if (!coap_add_data_large_response(r, s, req, resp, query, out.content_format.value_or(0), -1, 0,
                                      body->size(), reinterpret_cast<const uint8_t*>(body->data()),
                                      free_payload, body))
      coap_pdu_set_code(resp, code_of(500));
  } else {
    if (out.content_format && !out.payload.empty()) {
      uint8_t buf[4];
      coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT,
                      coap_encode_var_safe(buf, sizeof buf, *out.content_format), buf);
    }
    if (out.max_age) {  // option 14 after Content-Format (12): options go in order
      uint8_t buf[4];
      coap_add_option(resp, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof buf, *out.max_age),
                      buf);
    }
    if (!out.payload.empty())
      coap_add_data(resp, out.payload.size(), reinterpret_cast<const uint8_t*>(out.payload.data()));
  }
}

bool coap_adapter::upload_block(coap_session_t* s, const coap_pdu_t* req, const request& rq,
                                const std::string& request_tag, const coap_block_b_t& b1,
                                coap_pdu_t* resp, std::string& body) {
  std::optional<std::size_t> size1;
  coap_opt_iterator_t oi;
  if (coap_opt_t* o = coap_check_option(req, COAP_OPTION_SIZE1, &oi))
    size1 = coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
  // The upload's name: URI and Request-Tag, not the token (it may change per block).
  std::string uri;
  for (const auto& seg : rq.path) uri.append(seg).push_back('/');
  for (const auto& q : rq.query) uri.append("?").append(q);
  uri.append("#").append(request_tag);
  block1_option b{b1.num, b1.m != 0, static_cast<uint8_t>(b1.bert ? 7 : b1.szx)};
  auto out = blocks_.add(id_of(s), uri, b, rq.payload, size1, clock::now());
  uint8_t buf[4];
  auto fail = [&](uint16_t code, std::string_view why) {
    coap_pdu_set_code(resp, code_of(code));
    coap_add_data(resp, why.size(), reinterpret_cast<const uint8_t*>(why.data()));
    if (code == 400 || code == 413 || code == 408)
      broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
    log::get("coap")->debug("block1_refused peer={} code={} block={} why=\"{}\"", rq.peer, code,
                            b1.num, why);
    return false;
  };
  switch (out.st) {
    case block1_assembly::status::more:
      // libcoap adds the Block1 option to a 2.31 only for uploads it tracks itself.
      coap_pdu_set_code(resp, code_of(231));
      if (!coap_check_option(resp, COAP_OPTION_BLOCK1, &oi))
        coap_add_option(resp, COAP_OPTION_BLOCK1,
                        coap_encode_var_safe(buf, sizeof buf, (b1.num << 4) | 8 | b1.szx), buf);
      return false;
    case block1_assembly::status::complete:
      body = std::move(out.body);
      return true;
    case block1_assembly::status::too_large:  // Size1 tells the client the limit (2.9.3)
      coap_add_option(
          resp, COAP_OPTION_SIZE1,
          coap_encode_var_safe(buf, sizeof buf, static_cast<unsigned>(blocks_.limits().max_body)),
          buf);
      return fail(413, "body larger than mqtt.max_packet_size");
    case block1_assembly::status::incomplete:
      return fail(408, "missing or out-of-order block");
    case block1_assembly::status::bad:
      return fail(400, "bad block size");
    case block1_assembly::status::busy:
      coap_add_option(resp, COAP_OPTION_MAXAGE, coap_encode_var_safe(buf, sizeof buf, 2), buf);
      return fail(503, "too many block-wise uploads");
  }
  return false;
}

void coap_adapter::notify(const observer_id& to, const notification& n) {
  auto it = observers_.find(std::make_pair(to.transport, to.token));
  if (it == observers_.end()) return;
  coap_session_t* s = it->second.session;
  coap_pdu_t* pdu = coap_pdu_init(n.confirmable ? COAP_MESSAGE_CON : COAP_MESSAGE_NON, code_of(205),
                                  coap_new_message_id(s), coap_session_max_pdu_size(s));
  if (!pdu) return;
  coap_add_token(pdu, to.token.size(), reinterpret_cast<const uint8_t*>(to.token.data()));
  uint8_t buf[4];
  coap_add_option(pdu, COAP_OPTION_OBSERVE, coap_encode_var_safe(buf, sizeof buf, n.seq), buf);
  // coap_add_data_large_response adds Content-Format and, when the payload does not fit
  // one PDU, Block2 (the client fetches the rest from libcoap's copy).
  if (!it->second.request) {
    coap_delete_pdu(pdu);
    return;
  }
  // The query must be the GET's: libcoap matches the client's follow-up Block2 requests
  // against it. On failure libcoap itself releases the body.
  auto* body = new std::string(n.payload);
  coap_string_t* query = coap_get_query(it->second.request);
  int ok = coap_add_data_large_response(
      unknown_, s, it->second.request, pdu, query, n.content_format.value_or(0), -1, 0,
      body->size(), reinterpret_cast<const uint8_t*>(body->data()), free_payload, body);
  if (query) coap_delete_string(query);
  if (!ok) {
    coap_delete_pdu(pdu);
    if (n.tag) report_later(n.tag, false);
    return;
  }
  coap_mid_t mid = coap_send(s, pdu);
  if (!n.tag) return;
  if (mid == COAP_INVALID_MID) {
    report_later(n.tag, false);
    return;
  }
  // libcoap 4.3.1 reports no empty ACK to the application. It sends one CON at a time per
  // client (NSTART 1), so a CoAP ping queued behind the notifications goes out only once
  // they are acknowledged or lost (the lost ones are reported through on_nack first); the
  // client's RST to that ping (RFC 7252 4.3) confirms the ones not lost.
  auto& t = tracks_[to.transport];
  if (!t.session) t.session = coap_session_reference(s);
  t.cons[mid] = n.tag;
  t.unbarriered.push_back(mid);
  if (!barrier_posted_) {
    barrier_posted_ = true;
    boost::asio::post(stack_.io(), [this] { send_barriers(); });
  }
}

void coap_adapter::report_later(uint64_t tag, bool acknowledged) {
  post([this, tag, acknowledged] {
    if (logic_) logic_->on_con_result(tag, acknowledged);
  });
}

void coap_adapter::send_barriers() {
  barrier_posted_ = false;
  if (stopped_) return;
  const auto now = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> next;
  for (auto& [id, t] : tracks_) {
    if (t.unbarriered.empty() || t.ping_out) continue;  // on_barrier() comes back here
    if (auto np = next_ping_.find(id); np != next_ping_.end()) {
      if (now < np->second) {
        next = next ? std::min(*next, np->second) : np->second;
        continue;
      }
      next_ping_.erase(np);
    }
    coap_mid_t ping = coap_session_send_ping(t.session);
    if (ping == COAP_INVALID_MID) {  // the session is not usable: nothing will be confirmed
      for (auto mid : t.unbarriered) {
        auto c = t.cons.find(mid);
        if (c == t.cons.end()) continue;
        report_later(c->second, false);
        t.cons.erase(c);
      }
    } else {
      t.barriers[ping] = std::move(t.unbarriered);
      t.ping_out = true;
    }
    t.unbarriered.clear();
  }
  if (next) {
    barrier_posted_ = true;
    barrier_timer_.expires_at(*next);
    barrier_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) send_barriers();
    });
  }
  stack_.kick();
}

void coap_adapter::drop_track(uint64_t tid) {
  auto it = tracks_.find(tid);
  if (it == tracks_.end()) return;
  for (auto& [mid, tag] : it->second.cons) report_later(tag, false);
  coap_session_release(it->second.session);
  tracks_.erase(it);
}

// The client answered (or never answered) a barrier ping: the CON notifications sent
// before it and not reported lost were acknowledged.
void coap_adapter::on_barrier(uint64_t tid, coap_mid_t ping, coap_nack_reason_t reason) {
  auto it = tracks_.find(tid);
  if (it == tracks_.end()) return;
  auto& t = it->second;
  auto b = t.barriers.find(ping);
  if (b == t.barriers.end()) return;
  // RST: the ping was answered; TOO_MANY_RETRIES: it went out (so the notifications
  // before it were done with) but the client has gone since. Anything else (the session
  // failing) leaves their fate unknown: unacknowledged, resent if the session persists.
  const bool done = reason == COAP_NACK_RST || reason == COAP_NACK_TOO_MANY_RETRIES;
  t.ping_out = false;
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(next_ping_, [&](const auto& e) { return e.second <= now; });
  next_ping_[tid] = now + std::chrono::milliseconds(300);
  for (auto mid : b->second) {
    auto c = t.cons.find(mid);
    if (c == t.cons.end()) continue;  // reported lost already
    if (logic_) logic_->on_con_result(c->second, done);
    t.cons.erase(c);
  }
  t.barriers.erase(b);
  if (t.cons.empty() && t.barriers.empty() && t.unbarriered.empty()) {
    coap_session_release(t.session);
    tracks_.erase(it);
  } else if (!t.unbarriered.empty() && !barrier_posted_) {
    barrier_posted_ = true;
    boost::asio::post(stack_.io(), [this] { send_barriers(); });
  }
}

void coap_adapter::resume(const observer_id& request) {
  auto it = deferred_.find(std::make_pair(request.transport, request.token));
  if (it == deferred_.end()) return;
  coap_async_trigger(it->second.async);  // libcoap calls the handler again with the request
  stack_.process_now();
}

void coap_adapter::forget(const observer_id& o) {
  auto it = observers_.find(std::make_pair(o.transport, o.token));
  if (it == observers_.end()) return;
  if (it->second.request) coap_delete_pdu(it->second.request);
  coap_session_release(it->second.session);
  observers_.erase(it);
}

void coap_adapter::on_nack(coap_session_t* s, const coap_pdu_t* sent, coap_nack_reason_t reason,
                           coap_mid_t mid) {
  // Every reason means the observer is unreachable: an RST, no ACK after the retransmits,
  // or the send itself failing (ICMP port unreachable once the client is gone, DTLS down).
  auto* st = stack::of(coap_session_get_context(s));
  auto* self = st ? static_cast<coap_adapter*>(st->user) : nullptr;
  if (!self || !self->logic_ || !sent) return;
  auto id = reinterpret_cast<uintptr_t>(coap_session_get_app_data(s));
  if (!id) return;
  if (coap_pdu_get_code(sent) == COAP_EMPTY_CODE) {
    self->on_barrier(id, mid, reason);
    return;
  }
  if (auto t = self->tracks_.find(id); t != self->tracks_.end()) {
    if (auto c = t->second.cons.find(mid); c != t->second.cons.end()) {
      self->logic_->on_con_result(c->second, false);
      t->second.cons.erase(c);
    }
  }
  auto tok = coap_pdu_get_token(sent);
  self->logic_->on_nack(
      observer_id{id, std::string(reinterpret_cast<const char*>(tok.s), tok.length)});
}
}  // namespace edgegw::coap
