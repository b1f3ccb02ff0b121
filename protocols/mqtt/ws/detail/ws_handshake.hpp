// The WebSocket opening handshake of one MQTT-over-WebSocket connection (see
// ws_connection.hpp for the rules), then the hand-over to the adapter's connection glue.
// A template on the layer under the WebSocket: the accepted tcp::socket (ws) or a TLS
// stream over it (wss, protocols/mqtt/tls); stream_ops<NextLayer> half-closes and drops it.
//
// Owner: ws_handshake lives on the next layer's executor, a strand made by the caller (the
// accepted socket is moved onto it), so the handshake, Beast's timers and the glue's own
// strand (layered on it) never run at once, with one io_context per thread or a pool.
#pragma once
#include "gateway/api/asio.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "protocols/mqtt/adapter/connection.hpp"
#include "protocols/mqtt/adapter/detail/log.hpp"
#include "protocols/mqtt/ws/ws_connection.hpp"
#include "protocols/mqtt/ws/ws_stream.hpp"
#include "protocols/mqtt/ws/ws_upgrade.hpp"

namespace edgegw::mqtt::detail {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

using boost::system::error_code;

// MQTT's own ceiling on a packet (remaining length 268435455 plus the fixed header).
inline constexpr std::size_t mqtt_protocol_max_packet = 268435455 + 5;

template <class NextLayer>
class ws_handshake : public std::enable_shared_from_this<ws_handshake<NextLayer>> {
 public:
  using websocket_type = typename basic_ws_stream<NextLayer>::websocket_type;

  ws_handshake(NextLayer next, std::shared_ptr<const settings> cfg, broker& b, std::string path,
               std::shared_ptr<void> token, channel::peer_info peer)
      : ws_(std::make_shared<websocket_type>(std::move(next))),
        cfg_(std::move(cfg)),
        broker_(b),
        path_(std::move(path)),
        token_(std::move(token)),
        peer_(std::move(peer)),
        timer_(ws_->get_executor()),
        log_(detail::logger()) {}

  void start() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(ws_max_request_header));
    arm_timer(cfg_->idle_timeout);
    http::async_read(
        ws_->next_layer(), buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_request(ec); });
  }

 private:
  // One deadline at a time: the request, then (on a refusal) the lingering close. On
  // expiry the socket is closed, which fails whatever operation is pending.
  void arm_timer(std::chrono::milliseconds d) {
    timer_.expires_after(d);
    timer_.async_wait([self = this->shared_from_this(), gen = ++timer_gen_](error_code ec) {
      if (ec || gen != self->timer_gen_) return;
      self->timed_out_ = true;
      self->close_transport();
    });
  }
  void disarm_timer() {
    ++timer_gen_;
    timer_.cancel();
  }

  void on_request(error_code ec) {
    disarm_timer();
    if (ec) {
      if (timed_out_) {
        log_->debug("ws_handshake_timeout listener={} peer={}", cfg_->listener, peer_.address);
        return close_transport();
      }
      // A malformed request gets an answer; a peer that left or reset gets none.
      const bool malformed = ec.category() == make_error_code(http::error::bad_target).category() &&
                             ec != http::error::end_of_stream && ec != http::error::partial_message;
      if (!malformed) return close_transport();
      return refuse(ec == http::error::header_limit ? http::status::request_header_fields_too_large
                                                    : http::status::bad_request,
                    "malformed request", ec.message());
    }
    const auto& req = parser_->get();
    auto d = check_ws_upgrade(req, path_);
    if (d.status != http::status::switching_protocols) return refuse(d.status, d.reason, {});
    // RFC 6455 4.1: the client waits for our answer before sending frames.
    if (buffer_.size() > 0) {
      return refuse(http::status::bad_request, "data sent before the handshake completed", {});
    }
    accept(std::move(d.subprotocol));
  }

  void accept(std::string subprotocol) {
    subprotocol_ = subprotocol;
    // Until accepted, Beast bounds the 101 write by the handshake timeout.
    ws_->set_option(
        websocket::stream_base::timeout{cfg_->idle_timeout, websocket::stream_base::none(), false});
    ws_->set_option(websocket::stream_base::decorator(
        [sub = std::move(subprotocol)](websocket::response_type& r) {
          r.set(http::field::server, "edgegw");
          if (!sub.empty()) r.set(http::field::sec_websocket_protocol, sub);
        }));
    websocket::permessage_deflate pmd;
    pmd.server_enable = false;
    pmd.client_enable = false;
    ws_->set_option(pmd);
    const std::size_t max_packet =
        cfg_->max_packet_size > 0 ? cfg_->max_packet_size : mqtt_protocol_max_packet;
    ws_->read_message_max(max_packet + ws_message_slack);
    ws_->binary(true);
    ws_->auto_fragment(false);
    ws_->async_accept(parser_->get(),
                      [self = this->shared_from_this()](error_code ec) { self->on_accepted(ec); });
  }

  void on_accepted(error_code ec) {
    if (ec) {
      // Beast has answered a bad handshake (400, or 426 for another WebSocket version).
      log_->debug("ws_refused listener={} peer={} reason=\"{}\"", cfg_->listener, peer_.address,
                  ec.message());
      if (ec.category() == make_error_code(websocket::error::no_sec_key).category())
        return linger();
      return close_transport();
    }
    // From now on the handshake timeout bounds only our closing handshake.
    ws_->set_option(
        websocket::stream_base::timeout{cfg_->close_linger, websocket::stream_base::none(), false});
    log_->debug("ws_accepted listener={} peer={} subprotocol={}", cfg_->listener, peer_.address,
                subprotocol_.empty() ? "none" : subprotocol_);
    parser_.reset();
    start_stream_connection(basic_ws_stream<NextLayer>(std::move(ws_)), std::move(peer_),
                            std::move(cfg_), broker_, std::move(token_));
  }

  void refuse(http::status status, std::string_view reason, const std::string& detail) {
    const auto& req = parser_->get();
    log_->debug("ws_refused listener={} peer={} status={} reason=\"{}{}{}\" target=\"{}\"",
                cfg_->listener, peer_.address, static_cast<unsigned>(status), reason,
                detail.empty() ? "" : ": ", detail,
                std::string_view(req.target().data(), req.target().size()));
    res_.result(status);
    res_.version(11);
    res_.set(http::field::server, "edgegw");
    res_.set(http::field::content_type, "text/plain");
    if (status == http::status::upgrade_required) {
      // RFC 7231 6.5.15 / 7230 6.7: say what to upgrade to.
      res_.set(http::field::upgrade, "websocket");
      res_.set(http::field::connection, "Upgrade, close");
      res_.set(http::field::sec_websocket_version, "13");
    } else {
      res_.set(http::field::connection, "close");
    }
    res_.body() = std::string(reason) + "\n";
    res_.prepare_payload();
    arm_timer(cfg_->close_linger);
    http::async_write(ws_->next_layer(), res_,
                      [self = this->shared_from_this()](error_code ec, std::size_t) {
                        if (ec) return self->close_transport();
                        self->linger();
                      });
  }

  // Half-close after our answer and wait (bounded) for the client's FIN, so the answer
  // is not lost to a reset.
  void linger() {
    stream_ops<NextLayer>::shutdown_send(ws_->next_layer());
    arm_timer(cfg_->close_linger);
    drain();
  }
  void drain() {
    ws_->next_layer().async_read_some(
        boost::asio::buffer(scratch_),
        [self = this->shared_from_this()](error_code ec, std::size_t) {
          if (ec) {
            self->disarm_timer();
            return self->close_transport();
          }
          self->drain();
        });
  }

  void close_transport() { stream_ops<NextLayer>::close(ws_->next_layer()); }

  std::shared_ptr<websocket_type> ws_;
  std::shared_ptr<const settings> cfg_;
  broker& broker_;
  std::string path_;
  std::shared_ptr<void> token_;
  channel::peer_info peer_;
  std::string subprotocol_;
  boost::asio::steady_timer timer_;
  uint64_t timer_gen_ = 0;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  http::response<http::string_body> res_;
  std::array<char, 512> scratch_{};
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace edgegw::mqtt::detail
