// lwm2m_sim: a small LwM2M client (device) on libcoap for the gateway's scenario tests.
// It registers with the server, answers read (text for one resource, TLV otherwise, link
// format for discover), write (text or TLV), write-attributes, execute, create, delete and
// observe, and sends notifications when a value changes. Driven line by line on stdin;
// reports every event on stdout as one line, so a test waits for lines, never sleeps:
//
//   stdin:  update [lt] | deregister | set PATH VALUE | sleep | wake | quit
//   stdout: REGISTERED rd/ID | UPDATED | DEREGISTERED | REQ METHOD PATH [k=v...] |
//           EXEC PATH ARGS | ATTR PATH QUERY | CREATED PATH | DELETED PATH | ...
//
// "sleep" only marks the device asleep (a queue-mode device's radio is off): requests that
// still arrive are reported as REQ_WHILE_ASLEEP, which a test can assert never happens.
// "wake" sends a registration update, as a real queue-mode device does.
#include <coap3/coap.h>
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "protocols/lwm2m/codec/codec.hpp"

using namespace edgegw::lwm2m;

namespace {

struct options {
  std::string host = "127.0.0.1";
  uint16_t port = 5783;
  bool dtls = false;
  std::string psk_identity, psk_key;
  std::string ep = "sim";
  uint32_t lt = 300;
  std::string binding = "U";
  std::string version = "1.0";
  std::string objects = "</1/0>,</3/0>,</3303/0>";
  std::string defs;  // object definitions directory (types for writes)
};

struct observer {
  coap_session_t* session;
  std::string token;
  path target;
  uint16_t format;
  uint32_t seq = 2;
};

options opt;
object_registry registry;
std::map<std::string, entry> store;  // by canonical path
std::vector<observer> observers;
coap_context_t* ctx = nullptr;
coap_session_t* session = nullptr;
std::string location;
bool asleep = false;
bool quit = false;

void say(const std::string& line) {
  std::cout << line << std::endl;
}

entry_list under(const path& p) {
  entry_list out;
  for (const auto& [k, e] : store)
    if (p.contains(e.path)) out.push_back(e);
  return out;
}

void put(const path& p, value v) {
  store[to_string(p)] = entry{p, std::move(v)};
}

void seed() {
  auto P = [](const char* s) { return parse_path(s).value(); };
  put(P("/1/0/0"), int64_t{123});
  put(P("/1/0/1"), int64_t{opt.lt});
  put(P("/1/0/7"), std::string(opt.binding));
  put(P("/3/0/0"), std::string("Open Mobile Alliance"));
  put(P("/3/0/1"), std::string("Lightweight M2M Client"));
  put(P("/3/0/2"), std::string("345000123"));
  put(P("/3/0/9"), int64_t{100});
  put(P("/3/0/11/0"), int64_t{0});
  put(P("/3/0/14"), std::string("+01:00"));
  put(P("/3/0/15"), std::string("Europe/Berlin"));
  put(P("/3/0/16"), std::string("U"));
  put(P("/3303/0/5700"), 21.5);
  put(P("/3303/0/5701"), std::string("Cel"));
}

std::string payload_of(const coap_pdu_t* pdu) {
  size_t len = 0;
  const uint8_t* data = nullptr;
  if (!coap_get_data(pdu, &len, &data) || !data) return {};
  return std::string(reinterpret_cast<const char*>(data), len);
}

std::optional<uint32_t> uint_option(const coap_pdu_t* pdu, coap_option_num_t num) {
  coap_opt_iterator_t it;
  coap_opt_t* o = coap_check_option(pdu, num, &it);
  if (!o) return std::nullopt;
  return coap_decode_var_bytes(coap_opt_value(o), coap_opt_length(o));
}

void set_content(coap_pdu_t* resp, uint16_t format, const std::string& body) {
  uint8_t buf[4];
  coap_add_option(resp, COAP_OPTION_CONTENT_FORMAT, coap_encode_var_safe(buf, sizeof buf, format),
                  buf);
  coap_add_data(resp, body.size(), reinterpret_cast<const uint8_t*>(body.data()));
}

// Encode what `p` holds in `format` (0 text, 11542 TLV); false when it cannot.
bool encode(const path& p, uint16_t format, std::string& body) {
  auto entries = under(p);
  if (entries.empty()) return false;
  if (format == content_format::text) {
    if (entries.size() != 1 || !(entries[0].path == p)) return false;
    auto t = encode_text(entries[0].value);
    if (!t) return false;
    body = t.value();
    return true;
  }
  auto t = encode_tlv(p, entries);
  if (!t) return false;
  body.assign(t.value().begin(), t.value().end());
  return true;
}

std::string links(const path& p) {
  std::string out = "<" + to_string(p) + ">";
  std::map<std::string, bool> seen;
  for (const auto& e : under(p)) {
    path r = e.path;
    r.depth = std::min<uint8_t>(r.depth, 3);
    auto s = to_string(r);
    if (seen[s]) continue;
    seen[s] = true;
    if (!(r == p)) out += ",<" + s + ">";
  }
  return out;
}

void handle(coap_resource_t*, coap_session_t* s, const coap_pdu_t* req, const coap_string_t*,
            coap_pdu_t* resp) {
  std::string text_path;
  std::vector<std::string> query;
  coap_opt_iterator_t it;
  coap_option_iterator_init(req, &it, COAP_OPT_ALL);
  while (coap_opt_t* o = coap_option_next(&it)) {
    std::string v(reinterpret_cast<const char*>(coap_opt_value(o)), coap_opt_length(o));
    if (it.number == COAP_OPTION_URI_PATH) text_path += "/" + v;
    if (it.number == COAP_OPTION_URI_QUERY) query.push_back(v);
  }
  auto code = coap_pdu_get_code(req);
  const char* method = code == COAP_REQUEST_CODE_GET    ? "GET"
                       : code == COAP_REQUEST_CODE_PUT  ? "PUT"
                       : code == COAP_REQUEST_CODE_POST ? "POST"
                                                        : "DELETE";
  auto accept = uint_option(req, COAP_OPTION_ACCEPT);
  auto observe = uint_option(req, COAP_OPTION_OBSERVE);
  auto cf = uint_option(req, COAP_OPTION_CONTENT_FORMAT);
  std::string line = std::string(asleep ? "REQ_WHILE_ASLEEP " : "REQ ") + method + " " +
                     (text_path.empty() ? "/" : text_path);
  if (accept) line += " accept=" + std::to_string(*accept);
  if (observe) line += " observe=" + std::to_string(*observe);
  if (cf) line += " format=" + std::to_string(*cf);
  say(line);
  auto parsed = parse_path(text_path.empty() ? "/" : text_path, true);
  if (!parsed) {
    coap_pdu_set_code(resp, COAP_RESPONSE_CODE_BAD_REQUEST);
    return;
  }
  path p = parsed.value();
  std::string body = payload_of(req);
  auto bytes = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size());

  if (code == COAP_REQUEST_CODE_GET) {
    if (accept && *accept == content_format::link) {
      if (under(p).empty()) return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_NOT_FOUND);
      coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CONTENT);
      return set_content(resp, content_format::link, links(p));
    }
    uint16_t format = accept ? static_cast<uint16_t>(*accept)
                             : (p.depth >= 3 ? content_format::text : content_format::tlv);
    std::string out;
    if (under(p).empty()) return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_NOT_FOUND);
    if (!encode(p, format, out)) return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_NOT_ACCEPTABLE);
    coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CONTENT);
    auto tok = coap_pdu_get_token(req);
    std::string token(reinterpret_cast<const char*>(tok.s), tok.length);
    if (observe && *observe == 0) {
      std::erase_if(observers, [&](const observer& o) { return o.token == token; });
      observers.push_back(observer{s, token, p, format});
      uint8_t buf[4];
      coap_add_option(resp, COAP_OPTION_OBSERVE, coap_encode_var_safe(buf, sizeof buf, 1), buf);
      say("OBSERVED " + to_string(p));
    } else if (observe && *observe == 1) {
      auto n = std::erase_if(observers, [&](const observer& o) { return o.token == token; });
      say((n ? "CANCELLED " : "CANCEL_UNKNOWN_TOKEN ") + to_string(p));
    }
    return set_content(resp, format, out);
  }
  if (code == COAP_REQUEST_CODE_PUT && body.empty() && !query.empty()) {
    std::string q;
    for (const auto& item : query) q += (q.empty() ? "" : "&") + item;
    say("ATTR " + to_string(p) + " " + q);
    return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CHANGED);
  }
  if (code == COAP_REQUEST_CODE_POST && p.depth == 3) {
    say("EXEC " + to_string(p) + " " + body);
    return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CHANGED);
  }
  if ((code == COAP_REQUEST_CODE_PUT || code == COAP_REQUEST_CODE_POST) && p.depth >= 1) {
    auto entries = decode_content(cf.value_or(0), bytes, p, registry);
    if (!entries) {
      say("BAD_PAYLOAD " + entries.error().reason);
      return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_BAD_REQUEST);
    }
    if (code == COAP_REQUEST_CODE_PUT) {
      // Replace: a resource's old instances go first.
      std::erase_if(store, [&](const auto& kv) { return p.contains(kv.second.path); });
    }
    for (auto& e : entries.value()) {
      say("WRITTEN " + to_string(e.path) + " " + to_json(e.value).dump());
      store[to_string(e.path)] = e;
    }
    if (p.depth == 1) {
      // Create: report the new instance's location.
      path inst = entries.value().empty() ? p.child(0) : entries.value()[0].path;
      inst.depth = 2;
      say("CREATED " + to_string(inst));
      coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CREATED);
      auto a = std::to_string(inst.object()), b = std::to_string(inst.instance());
      coap_add_option(resp, COAP_OPTION_LOCATION_PATH, a.size(),
                      reinterpret_cast<const uint8_t*>(a.data()));
      coap_add_option(resp, COAP_OPTION_LOCATION_PATH, b.size(),
                      reinterpret_cast<const uint8_t*>(b.data()));
      return;
    }
    return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_CHANGED);
  }
  if (code == COAP_REQUEST_CODE_DELETE && p.depth == 2) {
    if (under(p).empty()) return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_NOT_FOUND);
    std::erase_if(store, [&](const auto& kv) { return p.contains(kv.second.path); });
    say("DELETED " + to_string(p));
    return coap_pdu_set_code(resp, COAP_RESPONSE_CODE_DELETED);
  }
  coap_pdu_set_code(resp, COAP_RESPONSE_CODE_NOT_ALLOWED);
}

void notify(const path& changed) {
  for (auto& o : observers) {
    if (!o.target.contains(changed) && !changed.contains(o.target)) continue;
    std::string body;
    if (!encode(o.target, o.format, body)) continue;
    coap_pdu_t* pdu = coap_new_pdu(COAP_MESSAGE_NON, COAP_RESPONSE_CODE_CONTENT, o.session);
    coap_add_token(pdu, o.token.size(), reinterpret_cast<const uint8_t*>(o.token.data()));
    uint8_t buf[4];
    coap_add_option(pdu, COAP_OPTION_OBSERVE, coap_encode_var_safe(buf, sizeof buf, o.seq++), buf);
    set_content(pdu, o.format, body);
    coap_send(o.session, pdu);
    say("NOTIFIED " + to_string(o.target) + " seq=" + std::to_string(o.seq - 1));
  }
}

// The answers to this device's own requests (register, update, de-register). `sent` is
// null for a separate response (RFC 7252 5.2.2: empty ACK first, the answer later), which
// the gateway gives while an authentication hook decides a registration.
coap_response_t on_response(coap_session_t*, const coap_pdu_t*, const coap_pdu_t* received,
                            coap_mid_t) {
  auto code = coap_pdu_get_code(received);
  if (code == COAP_RESPONSE_CODE_CREATED) {
    location.clear();
    coap_opt_iterator_t it;
    coap_option_iterator_init(received, &it, COAP_OPT_ALL);
    while (coap_opt_t* o = coap_option_next(&it))
      if (it.number == COAP_OPTION_LOCATION_PATH)
        location +=
            (location.empty() ? "" : "/") +
            std::string(reinterpret_cast<const char*>(coap_opt_value(o)), coap_opt_length(o));
    say("REGISTERED " + location);
  } else if (code == COAP_RESPONSE_CODE_CHANGED) {
    say("UPDATED");
  } else if (code == COAP_RESPONSE_CODE_DELETED) {
    say("DEREGISTERED");
  } else {
    char c[32];
    std::snprintf(c, sizeof c, "%d.%02d", code >> 5, code & 31);
    say(std::string("FAILED ") + c + " " + payload_of(received));
  }
  return COAP_RESPONSE_OK;
}

void nack(coap_session_t*, const coap_pdu_t*, coap_nack_reason_t reason, coap_mid_t) {
  say("NACK " + std::to_string(int(reason)));
}

void add_path(coap_pdu_t* pdu, const std::string& p) {
  size_t start = 0;
  while (start < p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string::npos) end = p.size();
    if (end > start)
      coap_add_option(pdu, COAP_OPTION_URI_PATH, end - start,
                      reinterpret_cast<const uint8_t*>(p.data() + start));
    start = end + 1;
  }
}

void add_query(coap_pdu_t* pdu, const std::string& q) {
  coap_add_option(pdu, COAP_OPTION_URI_QUERY, q.size(), reinterpret_cast<const uint8_t*>(q.data()));
}

void send_register() {
  coap_pdu_t* pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST, session);
  add_path(pdu, "rd");
  uint8_t buf[4];
  coap_add_option(pdu, COAP_OPTION_CONTENT_FORMAT,
                  coap_encode_var_safe(buf, sizeof buf, content_format::link), buf);
  add_query(pdu, "ep=" + opt.ep);
  add_query(pdu, "lt=" + std::to_string(opt.lt));
  add_query(pdu, "lwm2m=" + opt.version);
  add_query(pdu, "b=" + opt.binding);
  coap_add_data(pdu, opt.objects.size(), reinterpret_cast<const uint8_t*>(opt.objects.data()));
  coap_send(session, pdu);
}

void send_update(const std::string& lt) {
  coap_pdu_t* pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_POST, session);
  add_path(pdu, location);
  if (!lt.empty()) add_query(pdu, "lt=" + lt);
  coap_send(session, pdu);
}

void send_deregister() {
  coap_pdu_t* pdu = coap_new_pdu(COAP_MESSAGE_CON, COAP_REQUEST_CODE_DELETE, session);
  add_path(pdu, location);
  coap_send(session, pdu);
}

void run_command(const std::string& line) {
  std::vector<std::string> w;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    if (j > i) w.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  if (w.empty()) return;
  if (w[0] == "update") {
    send_update(w.size() > 1 ? w[1] : "");
  } else if (w[0] == "deregister") {
    send_deregister();
  } else if (w[0] == "sleep") {
    asleep = true;
    say("ASLEEP");
  } else if (w[0] == "wake") {
    asleep = false;
    say("AWAKE");
    send_update("");
  } else if (w[0] == "set" && w.size() == 3) {
    auto p = parse_path(w[1]);
    if (!p) return say("ERROR " + p.error().reason);
    auto old = store.find(to_string(p.value()));
    value_type t = old == store.end() ? value_type::string : type_of(old->second.value);
    auto v = value_from_json(nlohmann::json(w[2]), t);
    if (!v) return say("ERROR " + v.error().reason);
    put(p.value(), v.value());
    say("SET " + w[1]);
    notify(p.value());
  } else if (w[0] == "quit") {
    quit = true;
  } else {
    say("ERROR unknown command " + w[0]);
  }
}

int usage() {
  std::cerr << "usage: lwm2m_sim [-h HOST] [-p PORT] [-e EP] [-t LT] [-b BINDING] [-v 1.0|1.1]\n"
               "                 [-o OBJLINKS] [-d DEFS_DIR] [-k PSK_ID:PSK_KEY (DTLS)]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int c;
  while ((c = getopt(argc, argv, "h:p:e:t:b:v:o:d:k:")) != -1) {
    switch (c) {
      case 'h':
        opt.host = optarg;
        break;
      case 'p':
        opt.port = static_cast<uint16_t>(std::stoi(optarg));
        break;
      case 'e':
        opt.ep = optarg;
        break;
      case 't':
        opt.lt = static_cast<uint32_t>(std::stoul(optarg));
        break;
      case 'b':
        opt.binding = optarg;
        break;
      case 'v':
        opt.version = optarg;
        break;
      case 'o':
        opt.objects = optarg;
        break;
      case 'd':
        opt.defs = optarg;
        break;
      case 'k': {
        std::string k = optarg;
        auto colon = k.find(':');
        if (colon == std::string::npos) return usage();
        opt.dtls = true;
        opt.psk_identity = k.substr(0, colon);
        opt.psk_key = k.substr(colon + 1);
        break;
      }
      default:
        return usage();
    }
  }
  if (!opt.defs.empty()) {
    auto r = object_registry::load_directory(opt.defs);
    if (!r) {
      for (const auto& e : r.error()) std::cerr << e << "\n";
      return 1;
    }
    registry = std::move(r).value();
  }
  seed();
  coap_startup();
  coap_set_log_level(LOG_WARNING);
  ctx = coap_new_context(nullptr);
  coap_register_response_handler(ctx, on_response);
  coap_register_nack_handler(ctx, nack);
  coap_resource_t* any = coap_resource_unknown_init2(handle, 0);
  for (auto m : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT})
    coap_register_request_handler(any, m, handle);
  coap_add_resource(ctx, any);
  // DELETE reaches only existing resources: one per object instance that may be deleted.
  for (const char* inst : {"3303/0", "3303/1", "3303/2", "3/0"}) {
    coap_resource_t* r = coap_resource_init(coap_make_str_const(inst), 0);
    for (auto m : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT, COAP_REQUEST_DELETE})
      coap_register_request_handler(r, m, handle);
    coap_add_resource(ctx, r);
  }
  coap_address_t dst;
  coap_address_init(&dst);
  if (inet_pton(AF_INET6, opt.host.c_str(), &dst.addr.sin6.sin6_addr) == 1) {
    dst.addr.sin6.sin6_family = AF_INET6;
    dst.addr.sin6.sin6_port = htons(opt.port);
    dst.size = sizeof dst.addr.sin6;
  } else {
    inet_pton(AF_INET, opt.host.c_str(), &dst.addr.sin.sin_addr);
    dst.addr.sin.sin_family = AF_INET;
    dst.addr.sin.sin_port = htons(opt.port);
    dst.size = sizeof dst.addr.sin;
  }
  if (opt.dtls) {
    coap_dtls_cpsk_t cpsk{};
    cpsk.version = COAP_DTLS_CPSK_SETUP_VERSION;
    cpsk.psk_info.identity.s = reinterpret_cast<const uint8_t*>(opt.psk_identity.data());
    cpsk.psk_info.identity.length = opt.psk_identity.size();
    cpsk.psk_info.key.s = reinterpret_cast<const uint8_t*>(opt.psk_key.data());
    cpsk.psk_info.key.length = opt.psk_key.size();
    session = coap_new_client_session_psk2(ctx, nullptr, &dst, COAP_PROTO_DTLS, &cpsk);
  } else {
    session = coap_new_client_session(ctx, nullptr, &dst, COAP_PROTO_UDP);
  }
  if (!session) {
    std::cerr << "cannot create session\n";
    return 1;
  }
  send_register();
  std::string buffer;
  while (!quit) {
    coap_io_process(ctx, 50);
    pollfd p{0, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      char chunk[512];
      ssize_t n = ::read(0, chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
      size_t nl;
      while ((nl = buffer.find('\n')) != std::string::npos) {
        run_command(buffer.substr(0, nl));
        buffer.erase(0, nl + 1);
      }
    }
  }
  coap_session_release(session);
  coap_free_context(ctx);
  coap_cleanup();
  return 0;
}
