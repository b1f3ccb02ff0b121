// client: buffered MQTT connection of the load generator (see client.hpp).
#include "tests/bench/client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>

namespace edgegw::bench {

client::client(asio::io_context& io, handler& h, std::size_t index, std::size_t read_buffer_size)
    : socket_(io),
      handler_(h),
      index_(index),
      read_buf_(read_buffer_size < 16 ? 16 : read_buffer_size) {}

void client::start(const tcp::endpoint& broker, const std::optional<asio::ip::address>& source,
                   std::string client_id, std::uint16_t keepalive) {
  state_ = state::connecting;
  pending_.clear();
  wire::append_connect(pending_, client_id, keepalive);
  error_code ec;
  socket_.open(broker.protocol(), ec);
  if (!ec && source) socket_.bind(tcp::endpoint(*source, 0), ec);
  if (ec) {
    // Reported from the io_context like any other failure, never from inside start().
    asio::post(socket_.get_executor(), [this, ec] { fail(ec, "socket"); });
    return;
  }
  socket_.async_connect(broker, [this](const error_code& e) { on_connect(e); });
}

void client::on_connect(const error_code& ec) {
  if (state_ != state::connecting) return;
  if (ec) return fail(ec, "connect");
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  state_ = state::open;
  flush();
  read();
}

void client::read() {
  socket_.async_read_some(asio::buffer(read_buf_.data() + read_end_, read_buf_.size() - read_end_),
                          [this](const error_code& ec, std::size_t n) { on_read(ec, n); });
}

void client::on_read(const error_code& ec, std::size_t n) {
  if (state_ != state::open) return;  // closing on purpose: the rest is of no interest
  if (ec) return fail(ec, "read");
  read_end_ += n;
  if (quickack_) {
    // Linux clears TCP_QUICKACK as it sees fit: re-arm it after every read.
    int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  }
  for (;;) {
    wire::frame f;
    const auto st = wire::next_frame(read_buf_.data() + read_begin_, read_end_ - read_begin_, f);
    if (st == wire::parse_status::malformed) {
      return fail(make_error_code(boost::system::errc::protocol_error), "malformed packet");
    }
    if (st == wire::parse_status::need_more) {
      // A packet larger than the buffer: grow it (after compaction below) to fit.
      if (f.total > read_buf_.size()) read_buf_.resize(f.total);
      break;
    }
    read_begin_ += f.total;
    if (!connacked_) {
      if (f.type() != wire::connack || f.body_len != 2) {
        return fail(make_error_code(boost::system::errc::protocol_error), "expected CONNACK");
      }
      connacked_ = true;
      handler_.on_connected(*this, f.body[1]);
    } else {
      handler_.on_frame(*this, f);
    }
    if (state_ != state::open) return;  // the handler closed or disconnected us
  }
  handler_.on_read_done(*this);
  if (state_ != state::open) return;
  // Only a partial packet is left: move it to the front.
  if (read_begin_ == read_end_) {
    read_begin_ = read_end_ = 0;
  } else if (read_begin_ > 0) {
    std::memmove(read_buf_.data(), read_buf_.data() + read_begin_, read_end_ - read_begin_);
    read_end_ -= read_begin_;
    read_begin_ = 0;
  }
  read();
}

void client::flush() {
  if (write_active_ || pending_.empty()) return;
  if (state_ != state::open && state_ != state::closing) return;
  std::swap(pending_, writing_);
  writing_msgs_ = std::exchange(pending_msgs_, 0);
  write_active_ = true;
  asio::async_write(socket_, asio::buffer(writing_),
                    [this](const error_code& ec, std::size_t) { on_write(ec); });
}

void client::on_write(const error_code& ec) {
  write_active_ = false;
  if (state_ != state::open && state_ != state::closing) return;
  if (ec) {
    if (state_ == state::closing) return close();
    return fail(ec, "write");
  }
  writing_.clear();
  written_msgs_ += std::exchange(writing_msgs_, 0);
  if (state_ == state::open) handler_.on_drained(*this);
  flush();
  if (state_ == state::closing && !write_active_) close();
}

void client::disconnect() {
  if (state_ != state::open) return close();
  wire::append_disconnect(pending_);
  state_ = state::closing;
  flush();
}

void client::close() {
  state_ = state::closed;
  error_code ignored;
  socket_.close(ignored);
}

void client::fail(const error_code& ec, std::string_view what) {
  if (state_ == state::closing || state_ == state::closed) return;
  close();
  handler_.on_closed(*this, ec, what);
}

}  // namespace edgegw::bench
