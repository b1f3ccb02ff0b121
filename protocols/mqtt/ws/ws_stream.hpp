// ws_stream: the adaptor that lets mqtt::connection<Stream> (adapter/connection.hpp) run
// over an accepted Beast WebSocket, so MQTT over WebSocket shares every line of the TCP
// glue (flow control, timers, lingering close) instead of copying it.
//
// MQTT-over-WebSocket rules (MQTT 3.1.1 / 5.0 section 6) and how they are met:
// - the channel consumes a byte stream, so a packet split across frames or messages, or
//   several packets in one frame, needs nothing: async_read_some passes message bytes
//   through as they come;
// - packets go in binary frames: every async_write_some is one binary message (the glue's
//   async_write may cut a long output into several; receivers must not assume alignment);
// - any other data frame closes the connection [MQTT-6.0.0-1]: a read that delivers bytes
//   of a text message fails with ws_errc::text_frame;
// - pings are answered and the peer's close frame is echoed by Beast inside the read;
//   that clean close reaches the glue as eof.
// stream_ops<ws_stream>: shutdown_send sends our close frame (Beast then waits, bounded
// by the stream's handshake timeout, for the peer's and tears TCP down; the glue's pending
// read completes once that is done); close drops the TCP connection at once.
//
// Owner: the connection's strand. The WebSocket stream is shared (shared_ptr) only so that
// a close handshake in flight keeps it alive; its socket's executor is a strand, on which
// the close operation and Beast's own timer run, and the glue's strand is layered on it.
#pragma once
#include "gateway/api/asio.hpp"

#include <boost/beast/websocket/stream.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "protocols/mqtt/adapter/connection.hpp"

namespace edgegw::mqtt {
enum class ws_errc { text_frame = 1 };  // a text data frame where MQTT needs binary
}  // namespace edgegw::mqtt

namespace boost::system {
template <>
struct is_error_code_enum<edgegw::mqtt::ws_errc> : std::true_type {};
}  // namespace boost::system

namespace edgegw::mqtt {

const boost::system::error_category& ws_category() noexcept;
inline boost::system::error_code make_error_code(ws_errc e) noexcept {
  return {static_cast<int>(e), ws_category()};
}

// NextLayer: the accepted tcp::socket (ws_stream), or a TLS stream over it (wss); its
// stream_ops say how to half-close and drop it.
template <class NextLayer>
class basic_ws_stream {
 public:
  using next_layer_type = NextLayer;
  using websocket_type = boost::beast::websocket::stream<NextLayer>;
  using executor_type = websocket_type::executor_type;

  // `ws` has completed its accept and is set to binary frames.
  explicit basic_ws_stream(std::shared_ptr<websocket_type> ws) noexcept : ws_(std::move(ws)) {}

  executor_type get_executor() noexcept { return ws_->get_executor(); }
  websocket_type& websocket() noexcept { return *ws_; }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
        [](auto handler, std::shared_ptr<websocket_type> ws, const MutableBufferSequence& b) {
          using handler_type = std::decay_t<decltype(handler)>;
          auto& s = *ws;
          s.async_read_some(b, read_done<handler_type>{{std::move(ws), std::move(handler)}});
        },
        token, ws_, buffers);
  }

  // One binary message holding all of `buffers`.
  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
        [](auto handler, std::shared_ptr<websocket_type> ws, const ConstBufferSequence& b) {
          using handler_type = std::decay_t<decltype(handler)>;
          auto& s = *ws;
          s.async_write(b, write_done<handler_type>{{std::move(ws), std::move(handler)}});
        },
        token, ws_, buffers);
  }

  // Start the closing handshake (once): our close frame, then Beast reads until the
  // peer's and closes the socket. The handler holds the stream: the connection may be
  // gone before the peer answers. It runs on the socket's executor (a strand), serialised
  // with the glue's operations.
  void start_close() {
    if (closing_) return;
    closing_ = true;
    auto& s = *ws_;
    s.async_close(boost::beast::websocket::close_code::normal,
                  [keep = ws_](boost::system::error_code) {});
  }
  // Drop the TCP connection now.
  void close_transport() noexcept { stream_ops<NextLayer>::close(ws_->next_layer()); }

 private:
  // Wraps the glue's handlers. Their executor (the glue's strand) is presented as an
  // any_io_executor: Beast 1.74 keeps a suspended operation's work with the TS-executor
  // interface, which strand<any_io_executor> declares but cannot provide.
  template <class Handler>
  struct handler_base {
    std::shared_ptr<websocket_type> ws;
    Handler handler;

    using executor_type = boost::asio::any_io_executor;
    executor_type get_executor() const noexcept {
      return boost::asio::get_associated_executor(handler, ws->get_executor());
    }
    using allocator_type = boost::asio::associated_allocator_t<Handler>;
    allocator_type get_allocator() const noexcept {
      return boost::asio::get_associated_allocator(handler);
    }
  };

  // Completes a read: the peer's clean close becomes eof, a text message an error.
  template <class Handler>
  struct read_done : handler_base<Handler> {
    void operator()(boost::system::error_code ec, std::size_t n) {
      if (ec == boost::beast::websocket::error::closed) {
        ec = boost::asio::error::eof;
      } else if (!ec && this->ws->got_text()) {
        ec = make_error_code(ws_errc::text_frame);
        n = 0;
      }
      std::move(this->handler)(ec, n);
    }
  };

  template <class Handler>
  struct write_done : handler_base<Handler> {
    void operator()(boost::system::error_code ec, std::size_t n) {
      std::move(this->handler)(ec, n);
    }
  };

  std::shared_ptr<websocket_type> ws_;
  bool closing_ = false;
};

template <class NextLayer>
struct stream_ops<basic_ws_stream<NextLayer>> {
  static void shutdown_send(basic_ws_stream<NextLayer>& s) { s.start_close(); }
  static void close(basic_ws_stream<NextLayer>& s) { s.close_transport(); }
};

using ws_stream = basic_ws_stream<boost::asio::ip::tcp::socket>;

extern template class connection<ws_stream>;

}  // namespace edgegw::mqtt
