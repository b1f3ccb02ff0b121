// The byte stream under a stomp::connection: plain TCP or a WebSocket (ws_transport.hpp),
// behind one small interface so both share every line of the glue. One read and one write
// at a time, started and completed on executor() (an io_context run by one thread).
#pragma once
#include "gateway/api/asio.hpp"

#include <functional>

namespace edgegw::stomp {

class transport {
 public:
  using handler = std::function<void(boost::system::error_code, std::size_t)>;
  virtual ~transport() = default;
  virtual boost::asio::any_io_executor executor() = 0;
  // Some bytes into `b` (WebSocket: of the current message, text or binary).
  virtual void async_read_some(boost::asio::mutable_buffer b, handler h) = 0;
  // All of `b` (WebSocket: one binary message).
  virtual void async_write(boost::asio::const_buffer b, handler h) = 0;
  // Our side is done: TCP FIN, or the WebSocket close handshake. A pending read then
  // ends with an error or eof once the peer closed too.
  virtual void shutdown_send() = 0;
  virtual void close() = 0;  // at once
};

class tcp_transport final : public transport {
 public:
  explicit tcp_transport(boost::asio::ip::tcp::socket s) : sock_(std::move(s)) {}
  boost::asio::any_io_executor executor() override { return sock_.get_executor(); }
  void async_read_some(boost::asio::mutable_buffer b, handler h) override {
    sock_.async_read_some(b, std::move(h));
  }
  void async_write(boost::asio::const_buffer b, handler h) override {
    boost::asio::async_write(sock_, b, std::move(h));
  }
  void shutdown_send() override {
    boost::system::error_code ec;
    sock_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
  }
  void close() override {
    boost::system::error_code ec;
    sock_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    sock_.close(ec);
  }

 private:
  boost::asio::ip::tcp::socket sock_;
};

}  // namespace edgegw::stomp
