// MQTT over WebSocket (SPEC section 2: TCP 8083, path `/mqtt`, subprotocols `mqtt`,
// `mqttv3.1`): the entry point a `[listener.ws.NAME]` listener calls with each accepted
// socket. It reads the HTTP/1.1 upgrade request (bounded in time by cfg->idle_timeout and
// in size by ws_max_request_header), refuses with an HTTP status what is not an upgrade to
// `path` (404 other path, 426 plain HTTP, 400 malformed or no supported subprotocol, and
// Beast's 400/426 for a bad WebSocket handshake), accepts with the chosen subprotocol
// echoed, and then runs the MQTT adapter's connection over the WebSocket (ws_stream.hpp)
// until either side closes; a close by our side is a WebSocket close handshake.
#pragma once
#include "gateway/api/asio.hpp"

#include <cstddef>
#include <memory>
#include <string>

#include "gateway/api/broker.hpp"
#include "protocols/mqtt/adapter/settings.hpp"

namespace edgegw::mqtt {

inline constexpr const char* default_ws_path = "/mqtt";
// Largest upgrade request header we read; a larger one is answered 431.
inline constexpr std::size_t ws_max_request_header = 8 * 1024;
// A WebSocket message may carry one packet of max_packet_size plus others next to it;
// a larger message is refused by Beast with close code 1009 (message too big).
inline constexpr std::size_t ws_message_slack = 64 * 1024;

// Called on the socket's io_context. `b` must outlive every connection; `token` (the
// listener's connection slot) is released when the socket closes, handshake or not.
void start_ws_connection(boost::asio::ip::tcp::socket sock, std::shared_ptr<const settings> cfg,
                         broker& b, std::string path = default_ws_path,
                         std::shared_ptr<void> token = {});

}  // namespace edgegw::mqtt
