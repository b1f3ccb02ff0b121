// One MQTT connection of the load generator. It owns the socket, a read buffer parsed in
// place, and two write buffers (one being written while the scenario fills the other), so a
// scenario batches many packets into each syscall and the generator stays cheaper than the
// broker it measures. Owner: the single thread running the io_context; every callback runs
// there, so nothing is locked.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/api/asio.hpp"
#include "tests/bench/wire.hpp"

namespace edgegw::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

class client {
 public:
  // What a scenario implements. `index` identifies the client within its scenario.
  class handler {
   public:
    virtual ~handler() = default;
    // CONNACK arrived (return_code 0 is success). Not called if the connection failed first.
    virtual void on_connected(client& c, std::uint8_t return_code) = 0;
    // Any packet after CONNACK. The frame points into the read buffer: use it before returning.
    virtual void on_frame(client& c, const wire::frame& f) = 0;
    // A write completed: there is room to queue more.
    virtual void on_drained(client& /*c*/) {}
    // Every packet of one read was handled: the moment to send the replies in one write.
    virtual void on_read_done(client& /*c*/) {}
    // The connection failed or the broker closed it. Not called after close()/disconnect().
    virtual void on_closed(client& c, const error_code& ec, std::string_view what) = 0;
  };

  client(asio::io_context& io, handler& h, std::size_t index, std::size_t read_buffer_size);
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  // Connects (from `source`, when given), sends CONNECT and starts reading.
  void start(const tcp::endpoint& broker, const std::optional<asio::ip::address>& source,
             std::string client_id, std::uint16_t keepalive);

  // Acknowledge every segment at once instead of delaying ACKs (Linux's default). Against a
  // broker that leaves Nagle on, delayed ACKs throttle what it sends to this client.
  void set_quickack(bool on) { quickack_ = on; }

  // Packets are appended here, then flush() writes them (batched if a write is in flight).
  wire::buffer& out() { return pending_; }
  // Counts one message appended to out(), so messages_written() is exact.
  void count_message() { ++pending_msgs_; }
  void flush();

  // Queues DISCONNECT and closes once everything queued has been written.
  void disconnect();
  // Closes at once; no callback follows.
  void close();

  std::size_t index() const { return index_; }
  bool is_open() const { return state_ == state::connecting || state_ == state::open; }
  bool is_connected() const { return state_ == state::open && connacked_; }
  std::size_t queued_bytes() const { return pending_.size() + writing_.size(); }
  std::uint64_t messages_written() const { return written_msgs_; }

 private:
  enum class state { idle, connecting, open, closing, closed };

  void on_connect(const error_code& ec);
  void read();
  void on_read(const error_code& ec, std::size_t n);
  void on_write(const error_code& ec);
  void fail(const error_code& ec, std::string_view what);

  tcp::socket socket_;
  handler& handler_;
  std::size_t index_;
  state state_ = state::idle;
  bool connacked_ = false;
  bool write_active_ = false;
  bool quickack_ = false;

  wire::buffer read_buf_;
  std::size_t read_begin_ = 0;
  std::size_t read_end_ = 0;

  wire::buffer pending_;
  wire::buffer writing_;
  std::uint64_t pending_msgs_ = 0;
  std::uint64_t writing_msgs_ = 0;
  std::uint64_t written_msgs_ = 0;
};

}  // namespace edgegw::bench
