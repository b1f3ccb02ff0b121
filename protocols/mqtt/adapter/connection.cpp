// The TCP entry point of the MQTT adapter and the one instantiation of the glue for plain
// TCP sockets (other streams instantiate connection<Stream> where they are defined).
#include "protocols/mqtt/adapter/connection.hpp"

namespace edgegw::mqtt {

template class connection<tcp_stream>;

std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep) {
  const auto addr = ep.address();
  std::string s;
  if (addr.is_v6()) {
    s = "[" + addr.to_string() + "]";
  } else {
    s = addr.to_string();
  }
  s += ":" + std::to_string(ep.port());
  return s;
}

void start_connection(boost::asio::ip::tcp::socket sock, std::shared_ptr<const settings> cfg,
                      broker& b, std::shared_ptr<void> token) {
  boost::system::error_code ec;
  if (cfg->tcp_nodelay) sock.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  auto ep = sock.remote_endpoint(ec);
  // A peer that is already gone fails its first read and is cleaned up there.
  channel::peer_info peer{ec ? std::string("unknown") : format_endpoint(ep), {}};
  // Rebind the descriptor to a socket on the io_context's own executor (see tcp_stream).
  auto& ctx = static_cast<boost::asio::io_context&>(
      boost::asio::query(sock.get_executor(), boost::asio::execution::context));
  const auto protocol = sock.local_endpoint(ec).protocol();
  if (ec) return;  // already gone: nothing to serve
  tcp_stream s(ctx);
  const auto fd = sock.release(ec);
  if (!ec) s.assign(protocol, fd, ec);
  if (ec) {
    detail::log()->debug("accept_error peer={} error=\"{}\"", peer.address, ec.message());
    return;
  }
  start_stream_connection(std::move(s), std::move(peer), std::move(cfg), b, std::move(token));
}

}  // namespace edgegw::mqtt
