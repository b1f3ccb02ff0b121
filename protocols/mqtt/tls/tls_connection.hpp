// MQTT over TLS (SPEC section 2: TCP 8883, `[listener.ssl.NAME]`): the entry point a TLS
// listener calls with each accepted socket. It runs the TLS handshake (bounded by
// `handshake_timeout`), passes the client certificate's CN to the adapter (channel::
// peer_info), and then runs the MQTT adapter's connection glue over the TLS stream until
// either side closes; our side closes with close_notify and a lingering FIN.
#pragma once
#include "gateway/api/asio.hpp"

#include <chrono>
#include <memory>

#include "gateway/api/broker.hpp"
#include "gateway/net/tls/tls_context.hpp"
#include "protocols/mqtt/adapter/settings.hpp"

namespace edgegw::mqtt {

struct tls_listener_options {
  std::shared_ptr<const net::tls::server_context> context;
  std::chrono::milliseconds handshake_timeout{10000};
};

// Called on the socket's io_context. `b` must outlive every connection; `token` (the
// listener's connection slot) is released when the socket closes, handshake or not.
void start_tls_connection(boost::asio::ip::tcp::socket sock, const tls_listener_options& tls,
                          std::shared_ptr<const settings> cfg, broker& b,
                          std::shared_ptr<void> token = {});

}  // namespace edgegw::mqtt
