// The plain-TCP entry point of MQTT over WebSocket: the accepted socket moves onto a
// strand and the handshake (detail/ws_handshake.hpp) starts there.
#include "protocols/mqtt/ws/ws_connection.hpp"

#include <unistd.h>

#include "protocols/mqtt/ws/detail/ws_handshake.hpp"

namespace edgegw::mqtt {

using boost::asio::ip::tcp;
using boost::system::error_code;

void start_ws_connection(tcp::socket sock, std::shared_ptr<const settings> cfg, broker& b,
                         std::string path, std::shared_ptr<void> token) {
  error_code ec;
  const auto local = sock.local_endpoint(ec);
  if (ec) return;  // already gone; the token is released on return
  const auto remote = sock.remote_endpoint(ec);
  channel::peer_info peer{ec ? std::string("unknown") : format_endpoint(remote), {}};
  if (cfg->tcp_nodelay) sock.set_option(tcp::no_delay(true), ec);

  // Move the socket onto a strand of its io_context (see detail/ws_handshake.hpp).
  tcp::socket on_strand(boost::asio::make_strand(sock.get_executor()));
  const auto fd = sock.release(ec);
  if (ec) return;
  on_strand.assign(local.protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    return;
  }
  std::make_shared<detail::ws_handshake<tcp::socket>>(
      std::move(on_strand), std::move(cfg), b, std::move(path), std::move(token), std::move(peer))
      ->start();
}

}  // namespace edgegw::mqtt
