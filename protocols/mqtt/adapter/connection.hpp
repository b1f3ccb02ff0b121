// The Asio glue between one byte stream and one mqtt::channel: a read loop over a reusable
// buffer (grown towards max_packet_size only for a packet that needs it), writes that
// gather the channel's output (one write in flight; meanwhile the channel appends to its
// own buffer and the two are swapped), a steady timer armed at the channel's next
// deadline, reading paused while a publish is throttled or the client is not reading
// our output, and a lingering close (our FIN, then wait for the peer's) so a refusal is
// not lost to a TCP reset.
//
// Callbacks, not coroutines: the three loops (read, write, timer) are plain handlers
// sharing state on one strand, which keeps the pause/resume logic in one place.
//
// Stream: anything with get_executor(), async_read_some() and usable with
// boost::asio::async_write() (tcp::socket; an mbedTLS or WebSocket adaptor with the same
// surface). stream_ops<Stream> says how to half-close and close it; specialise it for
// streams that are not basic sockets.
//
// Owner: everything runs on one thread. A plain TCP socket's io_context is run by one
// thread (net::io_pool), so its executor serialises the handlers and no strand is needed:
// idle connections stay small. Plain TCP connections use tcp_stream, a socket bound to the
// io_context's own executor (8 bytes) rather than any_io_executor (48 bytes), which also
// shrinks every operation Asio allocates for it. Other streams (WebSocket, TLS adaptors) get a
// strand made from the stream's executor, as their layered operations expect. The broker's calls
// into delivery_sink and on_unthrottle come from any thread and only post here. Deadlines (CONNECT
// time-out, keepalive, resend, linger) share one timer per io_context (net::deadline_service)
// instead of a timer each.
#pragma once
#include "gateway/api/asio.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "gateway/api/broker.hpp"
#include "gateway/net/deadlines.hpp"
#include "protocols/mqtt/adapter/channel.hpp"
#include "protocols/mqtt/adapter/detail/log.hpp"
#include "protocols/mqtt/adapter/settings.hpp"

namespace edgegw::mqtt {

// How the glue ends a stream; the default fits boost::asio basic sockets.
template <class Stream>
struct stream_ops {
  static void shutdown_send(Stream& s) {
    boost::system::error_code ec;
    s.shutdown(Stream::shutdown_send, ec);
  }
  static void close(Stream& s) {
    boost::system::error_code ec;
    s.shutdown(Stream::shutdown_both, ec);
    s.close(ec);
  }
};

// A TCP socket whose executor is its io_context's (see above).
using tcp_stream =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// A plain TCP socket: read with a readiness wait and no buffer while idle.
template <class Stream>
inline constexpr bool is_plain_tcp =
    std::is_same_v<Stream, boost::asio::ip::tcp::socket> || std::is_same_v<Stream, tcp_stream>;

// Streams other than a basic socket (layered, composed operations) get a strand; a basic
// socket on a one-thread io_context does not need one.
template <class Stream>
inline constexpr bool uses_strand = !is_plain_tcp<Stream>;

template <class Stream>
class connection final : public std::enable_shared_from_this<connection<Stream>>,
                         private net::deadline_entry {
 public:
  using executor_type =
      std::conditional_t<uses_strand<Stream>, boost::asio::strand<boost::asio::any_io_executor>,
                         typename Stream::executor_type>;
  using clock = channel::clock;

  // `token` is held until the transport closes (e.g. the listener's connection count).
  connection(Stream stream, channel::peer_info peer, std::shared_ptr<const settings> cfg, broker& b,
             std::shared_ptr<void> token = {})
      : strand_(make_strand_for(stream)),
        stream_(std::move(stream)),
        sink_(std::make_shared<sink>(executor())),
        channel_(cfg, b, std::move(peer), sink_, clock::now()),
        token_(std::move(token)) {
    if constexpr (!is_plain_tcp<Stream>) rbuf_.resize(initial_read_buffer());
  }

  ~connection() { cancel_deadline(); }

  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Begin reading; the connection keeps itself alive through its pending operations.
  void start() {
    sink_->attach(this->weak_from_this());
    boost::asio::dispatch(executor(), [self = this->shared_from_this()] {
      self->guarded([&] { self->after_event(); });
    });
  }

 private:
  // The session's sink and the channel's link: hops onto the strand, and only if the
  // connection still exists.
  class sink final : public channel::link {
   public:
    explicit sink(executor_type ex) : ex_(std::move(ex)) {}
    void attach(std::weak_ptr<connection> c) { conn_ = std::move(c); }
    void on_ready() override {
      post([](connection& c) { c.handle_ready(); });
    }
    void on_close(close_reason r) override {
      post([r](connection& c) { c.handle_session_closed(r); });
    }
    void unthrottle() override {
      post([](connection& c) { c.handle_unthrottled(); });
    }
    bool authenticates_async() const override { return true; }
    void authenticated(result<client_info> r) override {
      post([r = std::move(r)](connection& c) { c.handle_authenticated(r); });
    }

   private:
    template <class F>
    void post(F f) {
      boost::asio::post(ex_, [w = conn_, f = std::move(f)] {
        if (auto c = w.lock()) c->guarded([&] { f(*c); });
      });
    }
    executor_type ex_;
    std::weak_ptr<connection> conn_;  // set by start(), before the broker sees the sink
  };

  struct no_strand {};
  using strand_member = std::conditional_t<uses_strand<Stream>, executor_type, no_strand>;
  static strand_member make_strand_for(Stream& s) {
    if constexpr (uses_strand<Stream>) {
      return boost::asio::make_strand(s.get_executor());
    } else {
      return {};
    }
  }
  executor_type executor() {
    if constexpr (uses_strand<Stream>) {
      return strand_;
    } else {
      return stream_.get_executor();
    }
  }

  std::size_t initial_read_buffer() const noexcept {
    const auto n = channel_.config().read_buffer_size;
    return n > 0 ? n : 4096;
  }

  // An exception escaping a handler closes this connection only.
  template <class F>
  void guarded(F&& f) noexcept {
    try {
      f();
    } catch (const std::exception& e) {
      detail::log()->error("connection_error client={} peer={} what=\"{}\"", channel_.client_id(),
                           channel_.peer(), e.what());
      abort_now();
    } catch (...) {
      detail::log()->error("connection_error client={} peer={} what=unknown", channel_.client_id(),
                           channel_.peer());
      abort_now();
    }
  }

  void abort_now() noexcept {
    try {
      close_now();
    } catch (...) {
    }
  }

  void handle_ready() {
    channel_.on_deliveries_ready(clock::now());
    after_event();
  }
  void handle_session_closed(close_reason r) {
    channel_.on_session_closed(r, clock::now());
    after_event();
  }
  void handle_unthrottled() {
    channel_.on_unthrottled(clock::now());
    feed(0);  // the bytes left unconsumed when the publish throttled
    after_event();
  }

  void handle_authenticated(const result<client_info>& r) {
    channel_.on_authenticated(r, clock::now());
    feed(0);  // what the client sent after its CONNECT
    after_event();
  }

  // After every input to the channel: write what it produced, keep reading, re-arm.
  void after_event() {
    flush();
    if (closed_ || channel_.wants_close()) return;
    do_read();
    arm_timer();
  }

  // ---------------------------------------------------------------- reading

  void do_read() {
    if (reading_ || closed_) return;
    if (!lingering_ && !channel_.wants_read()) return;
    if constexpr (is_plain_tcp<Stream>) {
      // Idle connections hold no read buffer: wait for readability with nothing allocated,
      // then read into a buffer that lives only while there is input (mosquitto-sized RSS
      // per idle connection instead of a 4 KiB buffer each).
      if (rbegin_ == rend_) {
        rbegin_ = rend_ = 0;
        std::vector<uint8_t>().swap(rbuf_);
        reading_ = true;
        // No strand here (see above): the handler runs on the socket's own executor.
        stream_.async_wait(boost::asio::socket_base::wait_read,
                           [self = this->shared_from_this()](boost::system::error_code ec) {
                             self->guarded([&] { self->on_readable(ec); });
                           });
        return;
      }
    }
    ensure_room();
    reading_ = true;
    stream_.async_read_some(
        boost::asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
        boost::asio::bind_executor(executor(), [self = this->shared_from_this()](
                                                   boost::system::error_code ec, std::size_t n) {
          self->guarded([&] { self->on_read(ec, n); });
        }));
  }

  // The socket has input (or an error): read what is there without blocking.
  void on_readable(boost::system::error_code ec) {
    if constexpr (is_plain_tcp<Stream>) {
      if (!ec) {
        ensure_room();
        stream_.non_blocking(true, ec);
        std::size_t n = 0;
        if (!ec)
          n = stream_.read_some(boost::asio::buffer(rbuf_.data() + rend_, rbuf_.size() - rend_),
                                ec);
        if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
          reading_ = false;
          do_read();  // spurious wake-up: wait again
          return;
        }
        on_read(ec, n);
        return;
      }
    }
    on_read(ec, 0);
  }

  void on_read(boost::system::error_code ec, std::size_t n) {
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
      if (ec != boost::asio::error::eof && ec != boost::asio::error::operation_aborted) {
        detail::log()->debug("read_error client={} peer={} error=\"{}\"", channel_.client_id(),
                             channel_.peer(), ec.message());
      }
      close_now();
      return;
    }
    rend_ += static_cast<uint32_t>(n);
    feed(n);
    after_event();
  }

  // Hand the unconsumed bytes to the channel. `last_read` is the size of the read that
  // brought them (0: none); a small read after a big packet lets the buffer shrink back.
  void feed(std::size_t last_read) {
    if (rbegin_ < rend_) {
      rbegin_ += static_cast<uint32_t>(channel_.on_bytes(
          std::span<const uint8_t>(rbuf_.data() + rbegin_, rend_ - rbegin_), clock::now()));
    }
    if (rbegin_ == rend_) {
      rbegin_ = rend_ = 0;
      const std::size_t initial = initial_read_buffer();
      if (!reading_ && rbuf_.size() > initial && last_read < initial) {
        std::vector<uint8_t>(initial).swap(rbuf_);
      }
    }
  }

  // Room for at least one more byte and for the whole packet at the front (the codec has
  // already checked its size against max_packet_size).
  void ensure_room() {
    const std::size_t pending = rend_ - rbegin_;
    const std::size_t want = std::max(channel_.bytes_wanted(), pending + 1);
    if (rbegin_ + want <= rbuf_.size() && rend_ < rbuf_.size()) return;
    if (rbegin_ > 0) {
      std::memmove(rbuf_.data(), rbuf_.data() + rbegin_, pending);
      rbegin_ = 0;
      rend_ = static_cast<uint32_t>(pending);
    }
    const std::size_t initial = initial_read_buffer();
    if (rbuf_.size() < want || rbuf_.size() < initial) rbuf_.resize(std::max(want, initial));
  }

  // ---------------------------------------------------------------- writing

  void flush() {
    if (writing_ || closed_) return;
    std::string& out = channel_.output();
    if (out.empty()) {
      if (channel_.wants_close() && !lingering_) begin_linger();
      return;
    }
    wbuf_.clear();
    wbuf_.swap(out);  // the channel keeps appending to the other buffer meanwhile
    writing_ = true;
    boost::asio::async_write(
        stream_, boost::asio::buffer(wbuf_),
        boost::asio::bind_executor(executor(), [self = this->shared_from_this()](
                                                   boost::system::error_code ec, std::size_t) {
          self->guarded([&] { self->on_write(ec); });
        }));
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    if (closed_) return;
    if (ec) {
      detail::log()->debug("write_error client={} peer={} error=\"{}\"", channel_.client_id(),
                           channel_.peer(), ec.message());
      close_now();
      return;
    }
    channel_.pump(clock::now());  // the output has room again
    // Nothing more to write (idle again), or a burst grew this buffer far past the
    // high-water mark: give it back.
    if (channel_.output().empty() ||
        wbuf_.capacity() > 4 * channel_.config().write_high_water + 65536)
      std::string().swap(wbuf_);
    after_event();
  }

  // ---------------------------------------------------------------- timer and closing

  void arm_timer() {
    if (closed_ || lingering_) return;
    auto at = channel_.next_deadline();
    // Throttled, the channel has no deadline and no read is pending, while the broker
    // holds only a weak reference (its unthrottle posts through the sink): a timer is then
    // what keeps this connection alive until that post arrives.
    if (!at && channel_.throttled()) at = clock::now() + throttled_keepalive;
    if (!at) return;
    if (deadline_armed() && deadline_at() <= *at) return;  // fires earlier; on_tick re-arms
    start_timer(*at);
  }

  void start_timer(clock::time_point at) {
    net::deadline_service::of(stream_.get_executor()).arm(*this, at, this->shared_from_this());
  }

  // From the io_context's deadline timer (its thread; a strand stream hops onto its strand).
  void on_deadline() override {
    if constexpr (uses_strand<Stream>) {
      boost::asio::post(
          strand_, [self = this->shared_from_this()] { self->guarded([&] { self->on_timer(); }); });
    } else {
      guarded([&] { on_timer(); });
    }
  }

  void on_timer() {
    if (closed_) return;
    if (lingering_) {  // the peer never sent its FIN
      close_now();
      return;
    }
    channel_.on_tick(clock::now());
    after_event();
  }

  // Everything is written and the channel is done: half-close, then wait (bounded) for the
  // peer to close its side, so it reads our last packet instead of a reset.
  void begin_linger() {
    lingering_ = true;
    token_.reset();  // done with the client: its listener slot is free again
    stream_ops<Stream>::shutdown_send(stream_);
    start_timer(clock::now() + channel_.config().close_linger);
    rbegin_ = rend_ = 0;
    do_read();
  }

  void close_now() {
    if (closed_) return;
    closed_ = true;
    stream_ops<Stream>::close(stream_);
    cancel_deadline();
    token_.reset();
    channel_.on_transport_closed();
  }

  static constexpr std::chrono::seconds throttled_keepalive{10};

  [[no_unique_address]] strand_member strand_;
  Stream stream_;
  std::shared_ptr<sink> sink_;
  channel channel_;
  std::vector<uint8_t> rbuf_;
  uint32_t rbegin_ = 0;  // unconsumed input is rbuf_[rbegin_, rend_) (< max_packet_size)
  uint32_t rend_ = 0;
  std::string wbuf_;  // the bytes of the write in flight
  std::shared_ptr<void> token_;
  bool reading_ = false;
  bool writing_ = false;
  bool lingering_ = false;
  bool closed_ = false;
};

// Run an MQTT connection over any stream (TLS and WebSocket listeners use this).
template <class Stream>
void start_stream_connection(Stream stream, channel::peer_info peer,
                             std::shared_ptr<const settings> cfg, broker& b,
                             std::shared_ptr<void> token = {}) {
  auto c = std::make_shared<connection<Stream>>(std::move(stream), std::move(peer), std::move(cfg),
                                                b, std::move(token));
  c->start();
}

// The TCP listener's entry point: called with an accepted socket on one of the io_contexts.
// Applies tcp_nodelay, names the peer, and runs the connection until either side closes.
// `b` must outlive every connection (stop the io_contexts before destroying the broker).
// `token` (e.g. the listener's connection-count slot) is released when the socket closes.
void start_connection(boost::asio::ip::tcp::socket sock, std::shared_ptr<const settings> cfg,
                      broker& b, std::shared_ptr<void> token = {});

// "ip:port", or "[v6]:port".
std::string format_endpoint(const boost::asio::ip::tcp::endpoint& ep);

extern template class connection<tcp_stream>;

}  // namespace edgegw::mqtt
