// The MQTT-over-secure-WebSocket entry point and the one instantiation of the connection
// glue over a WebSocket over TLS.
#include "protocols/mqtt/tls/wss_connection.hpp"

#include "protocols/mqtt/tls/detail/tls_accept.hpp"
#include "protocols/mqtt/tls/tls_stream_ops.hpp"
#include "protocols/mqtt/ws/detail/ws_handshake.hpp"

namespace edgegw::mqtt {

template class connection<basic_ws_stream<net::tls::tls_stream>>;

void start_wss_connection(boost::asio::ip::tcp::socket sock, const tls_listener_options& tls,
                          std::shared_ptr<const settings> cfg, broker& b, std::string path,
                          std::shared_ptr<void> token) {
  const bool nodelay = cfg->tcp_nodelay;
  std::string listener = cfg->listener;
  detail::accept_tls(
      std::move(sock), tls, nodelay, std::move(listener), std::move(token),
      [cfg = std::move(cfg), &b, path = std::move(path)](
          net::tls::tls_stream s, channel::peer_info peer, std::shared_ptr<void> slot) mutable {
        std::make_shared<detail::ws_handshake<net::tls::tls_stream>>(
            std::move(s), std::move(cfg), b, std::move(path), std::move(slot), std::move(peer))
            ->start();
      });
}

}  // namespace edgegw::mqtt
