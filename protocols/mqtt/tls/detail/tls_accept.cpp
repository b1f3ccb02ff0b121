// See tls_accept.hpp.
#include "protocols/mqtt/tls/detail/tls_accept.hpp"

#include <unistd.h>

#include "gateway/api/log.hpp"
#include "protocols/mqtt/adapter/connection.hpp"

namespace edgegw::mqtt::detail {

namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;

const std::shared_ptr<spdlog::logger>& tls_log() {
  static const auto l = log::get("tls");
  return l;
}

void on_handshake(error_code ec, std::shared_ptr<net::tls::tls_stream> stream, std::string peer,
                  const std::string& listener, std::shared_ptr<void> token,
                  const tls_established& next) {
  if (ec) {
    // Clients that just go away (or never start) are common on an open port: debug only.
    const bool quiet = ec == boost::asio::error::eof ||
                       ec == boost::asio::error::connection_reset ||
                       ec == net::tls::errc::handshake_timeout;
    const auto& why = stream->rejection_detail();
    tls_log()->log(quiet ? spdlog::level::debug : spdlog::level::info,
                   "tls_handshake_failed listener={} peer={} error=\"{}{}{}\"", listener, peer,
                   ec.message(), why.empty() ? "" : ": ", why);
    stream->close();
    return;
  }
  // cert_common_name carries the listener's TLS identity of the client (certificate CN,
  // SAN or DN, or PSK identity; see net::tls::context_options), "" when it gives none.
  channel::peer_info info{std::move(peer), stream->peer_identity()};
  tls_log()->debug(
      "tls_established listener={} peer={} session={} cn=\"{}\" psk_identity=\"{}\" "
      "identity=\"{}\"",
      listener, info.address, stream->session_info(), stream->peer_common_name(),
      stream->psk_identity(), info.cert_common_name);
  next(std::move(*stream), std::move(info), std::move(token));
}

}  // namespace

void accept_tls(tcp::socket sock, const tls_listener_options& tls, bool tcp_nodelay,
                std::string listener, std::shared_ptr<void> token, tls_established next) {
  error_code ec;
  const auto local = sock.local_endpoint(ec);
  if (ec) return;  // already gone; the token is released on return
  const auto remote = sock.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : format_endpoint(remote);
  if (tcp_nodelay) sock.set_option(tcp::no_delay(true), ec);

  // A strand of the socket's io_context: the handshake, its timer and the glue's strand
  // (layered on it) never run at once, whatever the threading of the io_context.
  tcp::socket on_strand(boost::asio::make_strand(sock.get_executor()));
  const auto fd = sock.release(ec);
  if (ec) return;
  on_strand.assign(local.protocol(), fd, ec);
  if (ec) {
    ::close(fd);
    return;
  }
  auto stream = std::make_shared<net::tls::tls_stream>(std::move(on_strand), tls.context);
  auto& s = *stream;
  s.async_handshake(tls.handshake_timeout,
                    [stream, peer = std::move(peer), listener = std::move(listener),
                     token = std::move(token), next = std::move(next)](error_code e) mutable {
                      on_handshake(e, std::move(stream), std::move(peer), listener,
                                   std::move(token), next);
                    });
}

}  // namespace edgegw::mqtt::detail
