// The decision on one HTTP request to a MQTT-over-WebSocket listener, before any byte of
// the answer is written: the path, whether it asks for a WebSocket upgrade at all, and the
// subprotocol. Pure (no I/O), so every rule is unit-tested without sockets; the
// RFC 6455 details of a real upgrade request (HTTP/1.1, GET, Host, Sec-WebSocket-Key and
// -Version) are left to Beast's accept, which answers 400 / 426 itself.
//
// Behaviour follows EMQX where the spec is silent: a client offering subprotocols gets the
// first of its own list that we support, echoed back; one offering only others gets 400;
// a plain HTTP request gets 426 Upgrade Required (as cowboy answers for EMQX). Unlike
// EMQX's default (fail_if_no_subprotocol = true), a client offering none is accepted
// without a subprotocol, as mosquitto does: some embedded and WeChat clients send none.
#pragma once
#include <utility>  // before any Boost.Asio header (STYLE.md toolchain traps)

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>

#include <array>
#include <string>
#include <string_view>

namespace edgegw::mqtt {

// What we accept in Sec-WebSocket-Protocol: the spec's `mqtt` (MQTT 3.1.1 and 5.0 clients:
// MQTT.js, paho) and `mqttv3.1` (3.1 clients), plus EMQX's `mqtt-v3`, `mqtt-v3.1.1` and
// `mqtt-v5` so devices configured for EMQX work unchanged.
inline constexpr std::array<std::string_view, 5> ws_subprotocols{"mqtt", "mqttv3.1", "mqtt-v3",
                                                                 "mqtt-v3.1.1", "mqtt-v5"};

struct ws_upgrade_decision {
  // switching_protocols: go on with the WebSocket accept; anything else: answer with it.
  boost::beast::http::status status = boost::beast::http::status::switching_protocols;
  std::string subprotocol;  // to echo; empty when the client offered none
  std::string_view reason;  // for the log line and the body of a refusal
};

// `path` is the listener's (e.g. "/mqtt"); the query string of the target is ignored.
ws_upgrade_decision check_ws_upgrade(const boost::beast::http::request_header<>& req,
                                     std::string_view path);

// The first of the client's Sec-WebSocket-Protocol tokens (all header lines, comma
// separated, in order) that we support. `offered` tells whether the client sent any token.
struct ws_subprotocol_choice {
  bool offered = false;
  std::string chosen;  // empty: none supported (or none offered)
};
ws_subprotocol_choice pick_ws_subprotocol(const boost::beast::http::request_header<>& req);

}  // namespace edgegw::mqtt
