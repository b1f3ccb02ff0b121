// The part every TLS listener shares (MQTT over TLS and over secure WebSocket): move the
// accepted socket onto a strand of its io_context, run the handshake, log the outcome, and
// hand the established stream on.
#pragma once
#include "gateway/api/asio.hpp"

#include <functional>
#include <memory>
#include <string>

#include "gateway/net/tls/tls_stream.hpp"
#include "protocols/mqtt/adapter/channel.hpp"
#include "protocols/mqtt/tls/tls_connection.hpp"

namespace edgegw::mqtt::detail {

using tls_established =
    std::function<void(net::tls::tls_stream, channel::peer_info, std::shared_ptr<void> token)>;

// `listener` names it in the log ("ssl:default"). `token` is kept until `next` takes it,
// or released when the handshake fails.
void accept_tls(boost::asio::ip::tcp::socket sock, const tls_listener_options& tls,
                bool tcp_nodelay, std::string listener, std::shared_ptr<void> token,
                tls_established next);

}  // namespace edgegw::mqtt::detail
