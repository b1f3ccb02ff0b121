// The registration interface of lwm2m_gateway (LwM2M 1.1 TS Core 6.2, as EMQX serves it):
// POST /rd registers (2.01 with Location-Path rd/{id}), POST /rd/{id} updates (2.04),
// DELETE /rd/{id} de-registers (2.02). Every request of a registered device counts as the
// device talking: it refreshes the lifetime (as EMQX does), wakes a queue-mode device and
// sends what waited for it.
#include <arpa/inet.h>

#include "gateway/api/log.hpp"
#include "protocols/coap/stack/refusal_code.hpp"
#include "protocols/lwm2m/gateway/detail/device_sink.hpp"
#include "protocols/lwm2m/gateway/lwm2m_gateway.hpp"

namespace edgegw::lwm2m {

namespace {

std::shared_ptr<spdlog::logger>& lg() {
  static auto l = log::get("lwm2m");
  return l;
}

void set_code(coap_pdu_t* resp, int code) {
  coap_pdu_set_code(resp, static_cast<coap_pdu_code_t>(COAP_RESPONSE_CODE(code)));
}

// A refused registration's code, as the CoAP gateway answers refused clients.
int auth_failure_code(const std::error_code& e) {
  if (e.category() != broker_category()) return 400;
  return coap::refusal_code(static_cast<errc>(e.value()));
}

void reply(coap_pdu_t* resp, int code, std::string_view text) {
  set_code(resp, code);
  if (!text.empty())
    coap_add_data(resp, text.size(), reinterpret_cast<const uint8_t*>(text.data()));
}

}  // namespace

void lwm2m_gateway::on_request(coap_resource_t*, coap_session_t* s, const coap_pdu_t* req,
                               const coap_string_t*, coap_pdu_t* resp) {
  auto* st = coap::stack::of(coap_session_get_context(s));
  auto* self = st ? static_cast<lwm2m_gateway*>(st->user) : nullptr;
  if (!self || self->stopped_) {
    set_code(resp, 503);
    return;
  }
  // Nothing may unwind through libcoap (C): a failure is this request's 5.00.
  try {
    self->handle(s, req, resp);
  } catch (const std::exception& e) {
    lg()->error("request_failed peer={} what=\"{}\"", coap::stack::peer_of(s), e.what());
    set_code(resp, 500);
  }
}

void lwm2m_gateway::handle(coap_session_t* s, const coap_pdu_t* req, coap_pdu_t* resp) {
  std::vector<std::string> path, query;
  coap_opt_iterator_t it;
  coap_option_iterator_init(req, &it, COAP_OPT_ALL);
  while (coap_opt_t* opt = coap_option_next(&it)) {
    std::string v(reinterpret_cast<const char*>(coap_opt_value(opt)), coap_opt_length(opt));
    if (it.number == COAP_OPTION_URI_PATH) path.push_back(std::move(v));
    if (it.number == COAP_OPTION_URI_QUERY) query.push_back(std::move(v));
  }
  size_t len = 0;
  const uint8_t* data = nullptr;
  std::string_view payload;
  if (coap_get_data(req, &len, &data) && data)
    payload = std::string_view(reinterpret_cast<const char*>(data), len);
  auto code = coap_pdu_get_code(req);

  if (path.size() == 1 && path[0] == "rd" && code == COAP_REQUEST_CODE_POST)
    return do_register(s, req, query, payload, resp);
  if (path.size() == 2 && path[0] == "rd") {
    auto loc = locations_.find(path[1]);
    if (loc == locations_.end()) return reply(resp, 404, "unknown registration");
    device& d = *devices_.at(loc->second);
    if (!identity_may_act_as(s, d.ep)) return reply(resp, 401, "PSK identity is not the endpoint");
    if (code == COAP_REQUEST_CODE_POST) return do_update(d, s, query, payload, resp);
    if (code == COAP_REQUEST_CODE_DELETE) {
      lg()->info("deregister ep={} peer={}", d.ep, coap::stack::peer_of(s));
      set_code(resp, 202);
      remove(std::string(d.ep), true, close_reason::normal);
      return;
    }
    return reply(resp, 405, "");
  }
  // Anything else (bootstrap, 1.1 Send): not provided. A known device still talked.
  for (auto& [ep, d] : devices_)
    if (d->coap == s) {
      touch(*d, s);
      auto ep_copy = ep;
      boost::asio::post(stack_.io(), [this, o = self_, ep_copy] {
        if (!*o || stopped_) return;
        if (auto f = devices_.find(ep_copy); f != devices_.end()) pump(*f->second);
        stack_.kick();
      });
      break;
    }
  reply(resp, 404, "");
}

std::string lwm2m_gateway::new_location() {
  // Short and not the endpoint name (which other devices know). Random per process, so a
  // device still holding a location from before a restart cannot hit another device's.
  static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (;;) {
    std::string id;
    uint64_t n = (uint64_t(random_()) << 32) ^ random_();
    for (int i = 0; i < 10; ++i, n /= 36) id.push_back(digits[n % 36]);
    if (!locations_.count(id)) return id;
  }
}

// Over DTLS with PSKs, a session may only register, update or de-register the endpoint
// its PSK identity names.
bool lwm2m_gateway::identity_may_act_as(coap_session_t* s, std::string_view ep) const {
  if (coap_session_get_proto(s) != COAP_PROTO_DTLS || !settings_.psk_per_endpoint) return true;
  const coap_bin_const_t* id = coap_session_get_psk_identity(s);
  return id && std::string_view(reinterpret_cast<const char*>(id->s), id->length) == ep;
}

void lwm2m_gateway::set_location(device& d) {
  d.location = new_location();
  locations_[d.location] = d.ep;
  std::string uri = "rd/" + d.location;
  coap_str_const_t* name =
      coap_new_str_const(reinterpret_cast<const uint8_t*>(uri.data()), uri.size());
  d.resource = coap_resource_init(name, COAP_RESOURCE_FLAGS_RELEASE_URI);
  for (auto m : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT, COAP_REQUEST_DELETE})
    coap_register_request_handler(d.resource, m, on_request);
  coap_add_resource(stack_.context(), d.resource);
}

// Not from within the resource's own handler: libcoap still uses it after the handler.
void lwm2m_gateway::drop_resource(coap_resource_t* r) {
  if (!r) return;
  boost::asio::post(stack_.io(), [o = self_, r] {
    if (*o && (*o)->stack_.context()) coap_delete_resource((*o)->stack_.context(), r);
  });
}

void lwm2m_gateway::do_register(coap_session_t* s, const coap_pdu_t* req,
                                const std::vector<std::string>& query, std::string_view payload,
                                coap_pdu_t* resp) {
  auto parked = take_parked(s, req);
  auto parsed = parse_registration(query, payload, true);
  if (!parsed) {
    lg()->info("register_refused peer={} reason=\"{}\"", coap::stack::peer_of(s),
               parsed.error().reason);
    return reply(resp, 400, parsed.error().reason);
  }
  registration reg = std::move(parsed).value();
  std::string ep = reg.endpoint();
  auto version = reg.get("lwm2m");
  if (!version || (*version != "1.0" && *version != "1" && *version != "1.1"))
    return reply(resp, 400, "invalid lwm2m version");
  uint32_t lt = reg.lifetime().value_or(86400);
  auto lifetime = std::chrono::seconds(lt);
  if (lifetime < settings_.lifetime_min || lifetime > settings_.lifetime_max)
    return reply(resp, 400, "lifetime out of range");
  if (ep.size() > broker_.limits().max_clientid_len) return reply(resp, 400, "ep too long");
  bool dtls = coap_session_get_proto(s) == COAP_PROTO_DTLS;
  if (!identity_may_act_as(s, ep)) {
    lg()->info("register_refused ep={} reason=psk_identity_mismatch", ep);
    return reply(resp, 401, "PSK identity is not the endpoint name");
  }
  // EMQX's non-standard password parameter: checked, never reported in events.
  std::optional<std::string> password = reg.get("password");
  std::erase_if(reg.query, [](const auto& kv) { return kv.first == "password"; });

  auto existing = devices_.find(ep);
  if (existing == devices_.end() && devices_.size() >= settings_.max_devices)
    return reply(resp, 503, "too many devices");

  credentials cr;
  cr.protocol = "lwm2m";
  cr.client_id = ep;
  cr.username = ep;  // as EMQX: the endpoint name is the username too
  cr.password = password;
  cr.peer = coap::stack::peer_of(s);
  cr.listener = dtls ? stack_.settings().name + "_dtls" : stack_.settings().name;
  cr.mountpoint = settings_.mountpoint;
  auto answer = parked ? std::move(parked) : authenticate(s, req, cr);
  if (!answer) return;  // answered later, as a separate response (libcoap sent the ACK)
  auto info = std::move(*answer);
  if (!info) {
    lg()->info("auth_failed ep={} peer={} reason={}", ep, cr.peer, info.error().message());
    return reply(resp, auth_failure_code(info.error()), "Login Failed: " + info.error().message());
  }
  if (devices_.find(ep) == devices_.end() && devices_.size() >= settings_.max_devices)
    return reply(resp, 503, "too many devices");  // others registered while this waited

  auto now = clock::now();
  device* d = nullptr;
  existing = devices_.find(ep);  // the answer may have come after other registrations
  if (existing != devices_.end()) {
    // Re-registration replaces the registration and keeps the session and its commands.
    d = existing->second.get();
    locations_.erase(d->location);
    drop_resource(d->resource);
    d->resource = nullptr;
    for (auto& [tok, o] : d->observations) tokens_.erase(tok);
    d->observations.clear();
    lg()->info("reregister ep={} peer={}", ep, cr.peer);
  } else {
    auto nd = std::make_unique<device>();
    nd->ep = ep;
    nd->info = std::move(info).value();
    nd->snk = std::make_shared<sink>(stack_.io(), self_, ep);
    session_options opts;
    opts.clean_start = true;
    opts.expiry_interval = 0;
    opts.keepalive = static_cast<uint16_t>(std::min<uint32_t>(lt, 65535));
    auto opened = broker_.open_session(nd->info, opts, nd->snk);
    if (!opened) {
      lg()->info("register_refused ep={} reason={}", ep, opened.error().message());
      return reply(resp, 503, opened.error().message());
    }
    nd->sess = opened.value().session;
    subscription_request sub;
    sub.filter = settings_.topic_command;
    auto out = broker_.subscribe(*nd->sess, std::span<const subscription_request>(&sub, 1));
    if (out.empty() || out[0].error != errc::ok)
      lg()->warn("subscribe_failed ep={} filter={}", ep, sub.filter);
    d = nd.get();
    devices_[ep] = std::move(nd);
    device_count_ = devices_.size();
    api_view_add(ep);
    lg()->info("register ep={} peer={} lt={} binding={}", ep, cr.peer, lt,
               reg.get("b").value_or(""));
  }
  d->reg = std::move(reg);
  d->queue_mode = d->reg.queue_mode();
  set_location(*d);
  if (d->coap != s) {
    if (d->coap) coap_session_release(d->coap);
    d->coap = coap_session_reference(s);
  }
  d->last_seen = now;
  d->expires = now + lifetime;

  set_code(resp, 201);
  coap_add_option(resp, COAP_OPTION_LOCATION_PATH, 2, reinterpret_cast<const uint8_t*>("rd"));
  coap_add_option(resp, COAP_OPTION_LOCATION_PATH, d->location.size(),
                  reinterpret_cast<const uint8_t*>(d->location.data()));
  publish(*d, settings_.topic_register, make_registration_event("register", d->reg));
  // Requests to the device go after the 2.01, from the loop.
  boost::asio::post(stack_.io(), [this, o = self_, ep] {
    if (!*o || stopped_) return;
    auto f = devices_.find(ep);
    if (f == devices_.end()) return;
    auto_observe(*f->second);
    pump(*f->second);
    stack_.kick();
  });
}

// broker::authenticate_async without holding the device's CoAP request open in a way that
// blocks: an answer given at once (no remote source asked) is used at once; otherwise the
// request is parked with libcoap's separate-response support (RFC 7252 5.2.2: an empty ACK
// now, libcoap re-ACKs retransmissions of it) and, when the answer arrives on this thread,
// triggered, so libcoap hands the same request to on_request again and this returns the
// stored answer (take_parked). A registration retried with a new token while one waits runs its own
// check; whichever answer comes second finds the device and re-registers it, so there is
// never a second session.
std::optional<edgegw::result<client_info>> lwm2m_gateway::take_parked(coap_session_t* s,
                                                                      const coap_pdu_t* req) {
  auto tok = coap_pdu_get_token(req);
  if (!coap_find_async(s, tok)) return std::nullopt;
  // The triggered re-run of a parked request: its entry goes now, whatever do_register
  // then answers (libcoap removes the async entry after this handler).
  const std::string_view token(reinterpret_cast<const char*>(tok.s), tok.length);
  for (auto it = pending_auth_.begin(); it != pending_auth_.end(); ++it) {
    if (it->second.session != s || it->second.token != token || !it->second.answer) continue;
    auto answer = std::move(it->second.answer);
    coap_session_release(it->second.session);
    pending_auth_.erase(it);
    return answer;
  }
  return std::nullopt;
}

std::optional<edgegw::result<client_info>> lwm2m_gateway::authenticate(coap_session_t* s,
                                                                       const coap_pdu_t* req,
                                                                       const credentials& cr) {
  auto tok = coap_pdu_get_token(req);
  std::string token(reinterpret_cast<const char*>(tok.s), tok.length);
  // A libcoap without separate responses: only answers the sources have at hand.
  if (!coap_async_is_supported()) return broker_.authenticate(cr);
  struct wait {
    std::mutex mu;
    bool returned = false;
    std::optional<edgegw::result<client_info>> answer;
  };
  auto w = std::make_shared<wait>();
  uint64_t id = next_auth_++;
  broker_.authenticate_async(cr,
                             [w, id, o = self_, &io = stack_.io()](edgegw::result<client_info> r) {
                               {
                                 std::lock_guard lock(w->mu);
                                 if (!w->returned) {
                                   w->answer = std::move(r);
                                   return;
                                 }
                               }
                               boost::asio::post(io, [o, id, r = std::move(r)]() mutable {
                                 if (*o) (*o)->on_auth_answer(id, std::move(r));
                               });
                             });
  {
    std::lock_guard lock(w->mu);
    w->returned = true;
    if (w->answer) return std::move(w->answer);
  }
  if (!coap_register_async(s, req, 0)) {
    lg()->warn("auth_park_failed ep={} peer={}", cr.client_id, cr.peer);
    return edgegw::result<client_info>(errc::server_unavailable);  // answered 5.03
  }
  pending_auth_[id] = pending_auth{coap_session_reference(s), std::move(token), std::nullopt};
  lg()->debug("auth_pending ep={} peer={}", cr.client_id, cr.peer);
  return std::nullopt;
}

void lwm2m_gateway::on_auth_answer(uint64_t id, edgegw::result<client_info> r) {
  auto it = pending_auth_.find(id);
  if (it == pending_auth_.end()) return;
  auto& p = it->second;
  coap_bin_const_t tok{p.token.size(), reinterpret_cast<const uint8_t*>(p.token.data())};
  coap_async_t* a = stopped_ ? nullptr : coap_find_async(p.session, tok);
  if (!a) {  // the session went away meanwhile
    lg()->info("auth_answer_dropped peer={} reason=no_request", coap::stack::peer_of(p.session));
    coap_session_release(p.session);
    pending_auth_.erase(it);
    return;
  }
  p.answer = std::move(r);
  lg()->debug("auth_answered peer={}", coap::stack::peer_of(p.session));
  coap_async_trigger(a);
  stack_.kick();
}

void lwm2m_gateway::do_update(device& d, coap_session_t* s, const std::vector<std::string>& query,
                              std::string_view payload, coap_pdu_t* resp) {
  auto parsed = parse_registration(query, payload, false);
  if (!parsed) return reply(resp, 400, parsed.error().reason);
  registration upd = std::move(parsed).value();
  std::erase_if(upd.query, [](const auto& kv) { return kv.first == "password"; });
  if (auto lt = upd.lifetime(); lt && upd.get("lt")) {
    auto lifetime = std::chrono::seconds(*lt);
    if (lifetime < settings_.lifetime_min || lifetime > settings_.lifetime_max)
      return reply(resp, 400, "lifetime out of range");
  }
  merge_update(d.reg, upd);
  d.queue_mode = d.reg.queue_mode();
  touch(d, s);
  set_code(resp, 204);
  lg()->debug("update ep={} peer={}", d.ep, coap::stack::peer_of(s));
  publish(d, settings_.topic_update, make_registration_event("update", d.reg));
  boost::asio::post(stack_.io(), [this, o = self_, ep = d.ep] {
    if (!*o || stopped_) return;
    if (auto f = devices_.find(ep); f != devices_.end()) pump(*f->second);
    stack_.kick();
  });
}

void lwm2m_gateway::touch(device& d, coap_session_t* s) {
  auto now = clock::now();
  d.last_seen = now;
  d.expires = now + std::chrono::seconds(d.reg.lifetime().value_or(86400));
  if (s && d.coap != s) {
    // The device moved (NAT rebinding, new DTLS session): answer where it now is.
    if (d.coap) coap_session_release(d.coap);
    d.coap = coap_session_reference(s);
  }
}

void lwm2m_gateway::auto_observe(device& d) {
  if (!settings_.auto_observe_all && settings_.auto_observe_paths.empty()) return;
  static constexpr uint16_t ignored[] = {0, 1, 2, 4, 5, 6, 7, 9, 15};
  std::vector<std::string> paths;
  for (const auto& o : d.reg.object_list) {
    if (settings_.auto_observe_all) {
      auto p = parse_path(o);
      if (!p || std::find(std::begin(ignored), std::end(ignored), p.value().object()) !=
                    std::end(ignored))
        continue;
      if (!objects_.find(p.value().object())) continue;  // as EMQX: only defined objects
      paths.push_back(o);
    } else if (std::find(settings_.auto_observe_paths.begin(), settings_.auto_observe_paths.end(),
                         o) != settings_.auto_observe_paths.end()) {
      paths.push_back(o);
    }
  }
  for (const auto& p : paths) {
    nlohmann::json j = {{"msgType", "observe"}, {"data", {{"path", p}}}, {"is_auto_observe", true}};
    auto cmd = parse_command(j.dump(), objects_);
    if (cmd) submit(d, std::move(cmd).value());
  }
}

}  // namespace edgegw::lwm2m
