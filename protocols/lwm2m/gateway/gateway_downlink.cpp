// The device side of commands in lwm2m_gateway: one CoAP request in flight per device
// (CON, on the device's server-side libcoap session), its response or failure turned into
// the up/resp message, observe notifications into up/notify.
#include "gateway/api/log.hpp"
#include "protocols/lwm2m/gateway/lwm2m_gateway.hpp"

namespace edgegw::lwm2m {

namespace {

std::shared_ptr<spdlog::logger>& lg() {
  static auto l = log::get("lwm2m");
  return l;
}

std::string token_of(const coap_pdu_t* pdu) {
  auto t = coap_pdu_get_token(pdu);
  return std::string(reinterpret_cast<const char*>(t.s), t.length);
}

void add_uint_option(coap_pdu_t* pdu, coap_option_num_t num, uint32_t v) {
  uint8_t buf[4];
  coap_add_option(pdu, num, coap_encode_var_safe(buf, sizeof buf, v), buf);
}

lwm2m_gateway* gateway_of(coap_session_t* s) {
  auto* st = coap::stack::of(coap_session_get_context(s));
  return st ? static_cast<lwm2m_gateway*>(st->user) : nullptr;
}

}  // namespace

bool lwm2m_gateway::asleep(const device& d, clock::time_point now) const {
  return d.queue_mode && now - d.last_seen >= settings_.qmode_time_window;
}

void lwm2m_gateway::pump(device& d) {
  auto now = clock::now();
  while (!d.inflight && !d.waiting.empty() && !asleep(d, now)) {
    queued q = std::move(d.waiting.front());
    d.waiting.pop_front();
    std::string token;
    if (!send(d, q.cmd, token)) {
      publish(d, settings_.topic_response, make_response(q.cmd, coap_code::internal_server_error));
      continue;
    }
    d.inflight = std::move(q);
    d.inflight_token = token;
  }
}

bool lwm2m_gateway::send(device& d, const command& cmd, std::string& token) {
  if (!d.coap) return false;
  // cancel-observe goes with the observation's token (RFC 7641 3.6), so the device can
  // match it. libcoap (block mode) puts tokens of its own on the wire and maps answers back,
  // so the cancel is built by libcoap from the observe it tracks.
  token.clear();
  if (cmd.type == msg_type::cancel_observe) {
    for (const auto& [tok, o] : d.observations) {
      if (!(o.cmd.target == cmd.target)) continue;
      coap_binary_t t{tok.size(), reinterpret_cast<uint8_t*>(const_cast<char*>(tok.data()))};
      if (coap_cancel_observe(d.coap, &t, COAP_MESSAGE_CON)) {
        token = tok;
        tokens_[token] = d.ep;
        return true;
      }
    }
  }
  uint64_t n = next_token_++;
  for (int i = 0; i < 8; ++i, n >>= 8) token.push_back(static_cast<char>(n & 0xff));
  coap_pdu_t* pdu =
      coap_new_pdu(COAP_MESSAGE_CON, static_cast<coap_pdu_code_t>(cmd.method), d.coap);
  if (!pdu) return false;
  coap_add_token(pdu, token.size(), reinterpret_cast<const uint8_t*>(token.data()));
  // Options in number order: Observe (6), Uri-Path (11), Content-Format (12),
  // Uri-Query (15), Accept (17).
  if (cmd.observe) add_uint_option(pdu, COAP_OPTION_OBSERVE, *cmd.observe);
  for (const auto& seg : cmd.uri_path(d.reg.alternate_path))
    coap_add_option(pdu, COAP_OPTION_URI_PATH, seg.size(),
                    reinterpret_cast<const uint8_t*>(seg.data()));
  if (cmd.content_format) add_uint_option(pdu, COAP_OPTION_CONTENT_FORMAT, *cmd.content_format);
  for (const auto& q : cmd.query)
    coap_add_option(pdu, COAP_OPTION_URI_QUERY, q.size(),
                    reinterpret_cast<const uint8_t*>(q.data()));
  if (cmd.accept) add_uint_option(pdu, COAP_OPTION_ACCEPT, *cmd.accept);
  if (!cmd.payload.empty() && !coap_add_data(pdu, cmd.payload.size(), cmd.payload.data())) {
    lg()->info("command_too_large ep={} bytes={}", d.ep, cmd.payload.size());
    coap_delete_pdu(pdu);
    return false;
  }
  if (coap_send(d.coap, pdu) == COAP_INVALID_MID) {
    lg()->info("send_failed ep={} msgType={}", d.ep, to_string(cmd.type));
    return false;
  }
  tokens_[token] = d.ep;
  lg()->debug("command_sent ep={} msgType={} path={}", d.ep, to_string(cmd.type), cmd.req_path);
  return true;
}

void lwm2m_gateway::finish_inflight(device& d) {
  if (!d.inflight) return;
  if (!d.observations.count(d.inflight_token)) tokens_.erase(d.inflight_token);
  d.inflight.reset();
  d.inflight_token.clear();
}

coap_response_t lwm2m_gateway::on_response(coap_session_t* s, const coap_pdu_t*,
                                           const coap_pdu_t* received, coap_mid_t) {
  auto* self = gateway_of(s);
  if (!self || self->stopped_) return COAP_RESPONSE_FAIL;
  std::string token = token_of(received);
  auto t = self->tokens_.find(token);
  if (t == self->tokens_.end()) return COAP_RESPONSE_FAIL;  // RST: e.g. a forgotten observe
  const std::string ep = t->second;                         // t may not survive response()
  auto d = self->devices_.find(ep);
  if (d == self->devices_.end()) return COAP_RESPONSE_FAIL;
  try {
    self->touch(*d->second, s);
    self->response(*d->second, token, received);
    self->pump(*d->second);
  } catch (const std::exception& e) {  // nothing may unwind through libcoap (C)
    lg()->error("response_failed ep={} what=\"{}\"", ep, e.what());
  }
  return COAP_RESPONSE_OK;
}

void lwm2m_gateway::response(device& d, const std::string& token, const coap_pdu_t* received) {
  auto code = static_cast<uint8_t>(coap_pdu_get_code(received));
  std::optional<uint16_t> format;
  std::optional<uint32_t> observe;
  coap_opt_iterator_t it;
  if (coap_opt_t* o = coap_check_option(received, COAP_OPTION_CONTENT_FORMAT, &it))
    format = static_cast<uint16_t>(coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o)));
  if (coap_opt_t* o = coap_check_option(received, COAP_OPTION_OBSERVE, &it))
    observe = coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
  size_t len = 0, offset = 0, total = 0;
  const uint8_t* data = nullptr;
  std::span<const uint8_t> payload;
  if (coap_get_data_large(received, &len, &data, &offset, &total) && data)
    payload = std::span<const uint8_t>(data, len);

  // A cancel-observe shares its observation's token: a notification (CON/NON with
  // Observe) crossing it on the wire is still a notification, not the cancel's answer.
  bool crossing = d.inflight && d.inflight->cmd.type == msg_type::cancel_observe && observe &&
                  coap_pdu_get_type(received) != COAP_MESSAGE_ACK;
  if (d.inflight && token == d.inflight_token && !crossing) {
    ++responses_;
    const command& cmd = d.inflight->cmd;
    auto j = response_from_coap(cmd, code, format, payload, objects_);
    // Recorded first, so an application that saw the answer on MQTT finds it in lookup.
    record_answer(d, cmd, to_string(cmd.type), j);
    publish(d, settings_.topic_response, j);
    bool ok = code >= coap_code::created && code < coap_code::bad_request;
    if (cmd.type == msg_type::observe && ok && observe)
      d.observations[token] = observation{cmd, true};
    if (cmd.type == msg_type::cancel_observe) d.observations.erase(token);
    finish_inflight(d);
    return;
  }
  auto o = d.observations.find(token);
  if (o == d.observations.end()) return;
  ++notifications_;
  auto j = make_notify(o->second.cmd, observe.value_or(0), code, format, payload, objects_);
  record_answer(d, o->second.cmd, "observe", j);
  publish(d, settings_.topic_notify, j);
  if (!observe || code >= coap_code::bad_request) {
    // A response without Observe (or an error) ends the observation (RFC 7641 3.2).
    d.observations.erase(o);
    tokens_.erase(token);
  }
}

void lwm2m_gateway::on_nack(coap_session_t* s, const coap_pdu_t* sent, coap_nack_reason_t reason,
                            coap_mid_t) {
  auto* self = gateway_of(s);
  if (!self || self->stopped_ || !sent) return;
  std::string token = token_of(sent);
  auto t = self->tokens_.find(token);
  if (t == self->tokens_.end()) return;
  auto d = self->devices_.find(t->second);
  if (d == self->devices_.end()) return;
  self->nack(*d->second, token, reason);
  self->pump(*d->second);
}

void lwm2m_gateway::nack(device& d, const std::string& token, coap_nack_reason_t reason) {
  if (!d.inflight || token != d.inflight_token) return;
  bool rst = reason == COAP_NACK_RST;
  if (!rst) ++timeouts_;
  lg()->info("command_failed ep={} msgType={} path={} reason={}", d.ep,
             to_string(d.inflight->cmd.type), d.inflight->cmd.req_path,
             rst ? "coap_reset" : "coap_timeout");
  auto j = rst ? make_coap_reset(d.inflight->cmd) : make_coap_timeout(d.inflight->cmd);
  publish(d, settings_.topic_response, j);
  d.observations.erase(token);
  tokens_.erase(token);
  d.inflight.reset();
  d.inflight_token.clear();
}

}  // namespace edgegw::lwm2m
