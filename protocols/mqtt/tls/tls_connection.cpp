// The MQTT-over-TLS entry point and the one instantiation of the connection glue over
// tls_stream.
#include "protocols/mqtt/tls/tls_connection.hpp"

#include "protocols/mqtt/adapter/connection.hpp"
#include "protocols/mqtt/tls/detail/tls_accept.hpp"
#include "protocols/mqtt/tls/tls_stream_ops.hpp"

namespace edgegw::mqtt {

template class connection<net::tls::tls_stream>;

void start_tls_connection(boost::asio::ip::tcp::socket sock, const tls_listener_options& tls,
                          std::shared_ptr<const settings> cfg, broker& b,
                          std::shared_ptr<void> token) {
  const bool nodelay = cfg->tcp_nodelay;
  std::string listener = cfg->listener;
  detail::accept_tls(std::move(sock), tls, nodelay, std::move(listener), std::move(token),
                     [cfg = std::move(cfg), &b](net::tls::tls_stream s, channel::peer_info peer,
                                                std::shared_ptr<void> slot) mutable {
                       start_stream_connection(std::move(s), std::move(peer), std::move(cfg), b,
                                               std::move(slot));
                     });
}

}  // namespace edgegw::mqtt
