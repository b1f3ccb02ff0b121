// MQTT over secure WebSocket (SPEC section 2: TCP 8084, `[listener.wss.NAME]`, path
// `/mqtt`): the TLS handshake (as for MQTT over TLS), then the WebSocket upgrade and the
// MQTT adapter over the WebSocket, exactly as on a plain `[listener.ws.NAME]`.
#pragma once
#include "gateway/api/asio.hpp"

#include <memory>
#include <string>

#include "gateway/api/broker.hpp"
#include "protocols/mqtt/adapter/settings.hpp"
#include "protocols/mqtt/tls/tls_connection.hpp"

namespace edgegw::mqtt {

// Called on the socket's io_context. `b` must outlive every connection; `token` (the
// listener's connection slot) is released when the socket closes, handshake or not.
void start_wss_connection(boost::asio::ip::tcp::socket sock, const tls_listener_options& tls,
                          std::shared_ptr<const settings> cfg, broker& b, std::string path,
                          std::shared_ptr<void> token = {});

}  // namespace edgegw::mqtt
