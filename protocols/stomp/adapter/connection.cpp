// stomp::connection: see connection.hpp.
#include "protocols/stomp/adapter/connection.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <exception>

#include "gateway/net/tcp_listener.hpp"
#include "protocols/stomp/adapter/detail/log.hpp"

namespace edgegw::stomp {

namespace asio = boost::asio;

// The session's sink: hops onto the connection's executor, and only if it still exists.
class connection::sink final : public delivery_sink {
 public:
  explicit sink(asio::any_io_executor ex) : ex_(std::move(ex)) {}
  void attach(std::weak_ptr<connection> c) { conn_ = std::move(c); }
  void on_ready() override {
    post([](connection& c) { c.handle_ready(); });
  }
  void on_close(close_reason r) override {
    post([r](connection& c) { c.handle_session_closed(r); });
  }
  void unthrottle() {
    post([](connection& c) { c.handle_unthrottled(); });
  }
  void authenticated(result<client_info> r) {
    post([r = std::move(r)](connection& c) { c.handle_authenticated(r); });
  }

 private:
  template <class F>
  void post(F f) {
    asio::post(ex_, [w = conn_, f = std::move(f)] {
      if (auto c = w.lock()) c->guarded([&] { f(*c); });
    });
  }
  asio::any_io_executor ex_;
  std::weak_ptr<connection> conn_;
};

connection::connection(std::unique_ptr<transport> t, std::string peer,
                       std::shared_ptr<const settings> cfg, broker& b, std::shared_ptr<void> token)
    : io_(std::move(t)),
      cfg_(cfg),
      sink_(std::make_shared<sink>(io_->executor())),
      channel_(
          cfg, b, std::move(peer),
          channel::hooks{sink_, [s = sink_] { s->unthrottle(); },
                         [s = sink_](result<client_info> r) { s->authenticated(std::move(r)); }},
          clock::now()),
      rbuf_(cfg->read_buffer_size > 0 ? cfg->read_buffer_size : 4096),
      token_(std::move(token)) {}

connection::~connection() {
  cancel_deadline();
}

void connection::start() {
  sink_->attach(weak_from_this());
  asio::dispatch(io_->executor(),
                 [self = shared_from_this()] { self->guarded([&] { self->after_event(); }); });
}

template <class F>
void connection::guarded(F&& f) noexcept {
  try {
    f();
  } catch (const std::exception& e) {
    detail::log()->error("connection_error client={} peer={} what=\"{}\"", channel_.client_id(),
                         channel_.peer(), e.what());
    try {
      close_now();
    } catch (...) {
    }
  } catch (...) {
    try {
      close_now();
    } catch (...) {
    }
  }
}

void connection::handle_ready() {
  channel_.on_deliveries_ready(clock::now());
  after_event();
}

void connection::handle_session_closed(close_reason r) {
  channel_.on_session_closed(r, clock::now());
  after_event();
}

void connection::handle_unthrottled() {
  channel_.on_unthrottled(clock::now());
  feed();  // the bytes left unconsumed when the SEND throttled
  after_event();
}

void connection::handle_authenticated(result<client_info> r) {
  channel_.on_authenticated(std::move(r), clock::now());
  feed();  // the bytes that followed the CONNECT frame
  after_event();
}

void connection::after_event() {
  flush();
  if (closed_ || channel_.wants_close()) return;
  do_read();
  arm_timer();
}

void connection::do_read() {
  if (reading_ || closed_) return;
  if (!lingering_ && !channel_.wants_read()) {
    if (!writing_) hold_ = shared_from_this();
    return;
  }
  hold_.reset();
  const std::size_t pending = rend_ - rbegin_;
  const std::size_t initial = cfg_->read_buffer_size > 0 ? cfg_->read_buffer_size : 4096;
  const std::size_t want = std::max(channel_.bytes_wanted(), pending + 1);
  if (rbegin_ + want > rbuf_.size() || rend_ == rbuf_.size()) {
    if (rbegin_ > 0) {
      std::memmove(rbuf_.data(), rbuf_.data() + rbegin_, pending);
      rbegin_ = 0;
      rend_ = pending;
    }
    // Grow for the frame at the front (its size was checked against the limits), or
    // double for a frame whose end is still unknown (the codec bounds that too).
    if (rend_ == rbuf_.size() || rbuf_.size() < want)
      rbuf_.resize(std::max({want, initial, rbuf_.size() * 2}));
  }
  reading_ = true;
  io_->async_read_some(asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
                       [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                         self->guarded([&] { self->on_read(ec, n); });
                       });
}

void connection::on_read(boost::system::error_code ec, std::size_t n) {
  reading_ = false;
  if (closed_) return;
  if (lingering_) {  // waiting for the peer's FIN: discard whatever still comes
    if (ec) {
      close_now();
    } else {
      rbegin_ = rend_ = 0;
      do_read();
    }
    return;
  }
  if (ec) {
    if (ec != asio::error::eof && ec != asio::error::operation_aborted)
      detail::log()->debug("read_error client={} peer={} error=\"{}\"", channel_.client_id(),
                           channel_.peer(), ec.message());
    close_now();
    return;
  }
  rend_ += n;
  feed();
  after_event();
}

void connection::feed() {
  if (rbegin_ < rend_) {
    rbegin_ += channel_.on_bytes(std::span<const uint8_t>(rbuf_.data() + rbegin_, rend_ - rbegin_),
                                 clock::now());
  }
  if (rbegin_ == rend_) {
    rbegin_ = rend_ = 0;
    const std::size_t initial = cfg_->read_buffer_size > 0 ? cfg_->read_buffer_size : 4096;
    if (!reading_ && rbuf_.size() > initial) std::vector<uint8_t>(initial).swap(rbuf_);
  }
}

void connection::flush() {
  if (writing_ || closed_) return;
  std::string& out = channel_.output();
  if (out.empty()) {
    if (channel_.wants_close() && !lingering_) begin_linger();
    return;
  }
  wbuf_.clear();
  wbuf_.swap(out);
  writing_ = true;
  io_->async_write(asio::buffer(wbuf_),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     self->guarded([&] { self->on_write(ec); });
                   });
}

void connection::on_write(boost::system::error_code ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    detail::log()->debug("write_error client={} peer={} error=\"{}\"", channel_.client_id(),
                         channel_.peer(), ec.message());
    close_now();
    return;
  }
  if (wbuf_.capacity() > 4 * cfg_->write_high_water + 65536) std::string().swap(wbuf_);
  channel_.pump(clock::now());  // the output has room again
  after_event();
}

void connection::arm_timer() {
  if (closed_ || lingering_) return;
  auto at = channel_.next_deadline();
  if (!at) {
    cancel_deadline();
    return;
  }
  if (deadline_armed() && deadline_at() == *at) return;
  net::deadline_service::of(io_->executor()).arm(*this, *at, shared_from_this());
}

void connection::on_deadline() {
  guarded([&] {
    if (closed_) return;
    if (lingering_) {  // the peer never sent its FIN
      close_now();
      return;
    }
    channel_.on_tick(clock::now());
    after_event();
  });
}

void connection::begin_linger() {
  lingering_ = true;
  token_.reset();  // the listener slot is free again
  io_->shutdown_send();
  net::deadline_service::of(io_->executor())
      .arm(*this, clock::now() + cfg_->close_linger, shared_from_this());
  rbegin_ = rend_ = 0;
  do_read();
}

void connection::close_now() {
  if (closed_) return;
  closed_ = true;
  auto keep = std::move(hold_);  // alive until the end of this call
  io_->close();
  cancel_deadline();
  token_.reset();
  channel_.on_transport_closed();
}

void start_connection(boost::asio::ip::tcp::socket s, std::shared_ptr<const settings> cfg,
                      broker& b, std::shared_ptr<void> token) {
  boost::system::error_code ec;
  s.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  auto ep = s.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : net::to_string(ep);
  auto c = std::make_shared<connection>(std::make_unique<tcp_transport>(std::move(s)),
                                        std::move(peer), std::move(cfg), b, std::move(token));
  c->start();
}

}  // namespace edgegw::stomp
