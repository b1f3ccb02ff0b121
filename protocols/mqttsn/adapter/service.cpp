// udp_service: the Asio glue of the MQTT-SN gateway. One socket, read in batches (a
// completion, then non-blocking reads until the socket is empty), non-blocking sends (a
// datagram the kernel cannot take now is dropped and counted: UDP may lose it anyway, and
// QoS 1/2 resends cover it), one timer at the gateway's next deadline.
//
// Owner: everything runs on the io_context given (the app's main one); the broker's
// delivery_sink and unthrottle calls come from any thread and only post there.
#include "service.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <memory>
#include <system_error>

#include "gateway/net/gateway_status.hpp"
#include "gateway/net/tcp_listener.hpp"
#include "protocols/mqttsn/adapter/detail/log.hpp"
#include "protocols/mqttsn/adapter/gateway.hpp"

namespace edgegw::mqttsn {

namespace asio = boost::asio;
using asio::ip::udp;

class udp_service::impl : public std::enable_shared_from_this<impl> {
 public:
  impl(service_options opts, asio::io_context& io, broker& b)
      : opts_(std::move(opts)),
        io_(io),
        broker_(b),
        sock_(io),
        timer_(io),
        adv_timer_(io),
        sys_timer_(io),
        log_(detail::logger()),
        rbuf_(new uint8_t[batch * slot]) {
    cfg_ = std::make_shared<const settings>(opts_.gw);
    channel::hooks h;
    h.make_sink = [this](uint64_t serial, uint64_t gen) -> std::shared_ptr<delivery_sink> {
      return std::make_shared<sink>(weak_from_this(), io_.get_executor(), serial, gen);
    };
    h.make_unthrottle = [this](uint64_t serial, uint64_t gen) -> std::function<void()> {
      return [w = weak_from_this(), ex = io_.get_executor(), serial, gen] {
        asio::post(ex, [w, serial, gen] {
          if (auto s = w.lock(); s && !s->stopped_) {
            s->gw_->on_unthrottled(serial, gen, channel::clock::now());
            s->flush();
          }
        });
      };
    };
    h.make_auth_done = [this](uint64_t serial, uint64_t attempt) -> broker::authenticate_handler {
      return
          [w = weak_from_this(), ex = io_.get_executor(), serial, attempt](result<client_info> r) {
            asio::post(ex, [w, serial, attempt, r = std::move(r)]() mutable {
              if (auto s = w.lock(); s && !s->stopped_) {
                s->gw_->on_authenticated(serial, attempt, std::move(r), channel::clock::now());
                s->flush();
              }
            });
          };
    };
    gw_ = std::make_unique<gateway>(cfg_, broker_, std::move(h), stats_);
  }

  void open() {
    udp::endpoint ep(net::parse_host(opts_.bind_host), opts_.bind_port);
    boost::system::error_code ec;
    sock_.open(ep.protocol(), ec);
    if (!ec && ep.address().is_v6() && opts_.bind_host.empty())
      sock_.set_option(asio::ip::v6_only(false), ec);
    if (!ec) sock_.bind(ep, ec);
    if (!ec) sock_.non_blocking(true, ec);
    if (!ec && opts_.socket_buffer > 0) {
      // Bursts of small datagrams overflow the default buffer (a few hundred datagrams)
      // long before the gateway is busy; the kernel caps this at net.core.rmem_max.
      boost::system::error_code ignored;
      sock_.set_option(asio::socket_base::receive_buffer_size(opts_.socket_buffer), ignored);
      sock_.set_option(asio::socket_base::send_buffer_size(opts_.socket_buffer), ignored);
    }
    if (!ec && opts_.advertise_to && opts_.advertise_to->address().is_multicast())
      sock_.set_option(asio::ip::multicast::join_group(opts_.advertise_to->address()), ec);
    if (ec)
      throw std::system_error(ec.value(), std::system_category(),
                              "gateway.mqttsn cannot bind " + opts_.bind_host + ":" +
                                  std::to_string(opts_.bind_port) + ": " + ec.message());
    local_ = sock_.local_endpoint();
  }

  void start() {
    read();
    if (opts_.advertise_interval.count() > 0 && opts_.advertise_to) advertise();
    if (opts_.sys_interval.count() > 0) schedule_sys();
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    stopped_flag_ = true;
    boost::system::error_code ec;
    sock_.close(ec);
    timer_.cancel();
    adv_timer_.cancel();
    sys_timer_.cancel();
    gw_->shutdown();
  }

  std::string where() const { return net::to_string(local_); }
  const gateway_stats& stats() const noexcept { return stats_; }

  // From the API's thread: only atomics, and local_/opts_ that are set before start().
  net::service_status status() const {
    net::gateway_report r;
    r.name = "mqttsn";
    const bool running = started_at_ms_.load() != 0 && !stopped_flag_.load();
    r.running = running;
    r.current_connections = static_cast<uint64_t>(std::max<int64_t>(0, stats_.clients.load()));
    r.max_connections = opts_.gw.max_clients;
    if (started_at_ms_.load() != 0) r.listeners.push_back({"udp", "default", where(), running});
    r.created_at_ms = created_at_ms_;
    r.started_at_ms = started_at_ms_.load();
    r.messages_received = stats_.messages_received.load(std::memory_order_relaxed);
    r.messages_sent = stats_.messages_sent.load(std::memory_order_relaxed);
    r.messages_dropped = stats_.messages_dropped.load(std::memory_order_relaxed);
    return net::gateway_status(r);
  }
  void mark_started() { started_at_ms_ = net::unix_now_ms(); }

 private:
  class sink final : public delivery_sink {
   public:
    sink(std::weak_ptr<impl> w, asio::any_io_executor ex, uint64_t serial, uint64_t gen)
        : w_(std::move(w)), ex_(std::move(ex)), serial_(serial), gen_(gen) {}
    void on_ready() override {
      asio::post(ex_, [w = w_, s = serial_, g = gen_] {
        if (auto p = w.lock(); p && !p->stopped_) {
          p->gw_->on_deliveries_ready(s, g, channel::clock::now());
          p->flush();
        }
      });
    }
    void on_close(close_reason r) override {
      asio::post(ex_, [w = w_, s = serial_, g = gen_, r] {
        if (auto p = w.lock(); p && !p->stopped_) {
          p->gw_->on_session_closed(s, g, r, channel::clock::now());
          p->flush();
        }
      });
    }

   private:
    std::weak_ptr<impl> w_;
    asio::any_io_executor ex_;
    uint64_t serial_, gen_;
  };

  // Wait until the socket is readable, then take what is queued in batches of up to
  // `batch` datagrams per recvmmsg call (one system call instead of one per datagram).
  void read() {
    if (stopped_) return;
    sock_.async_wait(udp::socket::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (self->stopped_ || ec == asio::error::operation_aborted) return;
                       self->drain_socket();
                       self->flush();
                       self->read();
                     });
  }

  void drain_socket() {
    const auto now = channel::clock::now();
    for (int round = 0; round < 8; ++round) {
      for (std::size_t i = 0; i < batch; ++i) {
        iov_[i].iov_base = rbuf_.get() + i * slot;
        iov_[i].iov_len = slot;
        msgs_[i] = {};
        msgs_[i].msg_hdr.msg_iov = &iov_[i];
        msgs_[i].msg_hdr.msg_iovlen = 1;
        msgs_[i].msg_hdr.msg_name = &names_[i];
        msgs_[i].msg_hdr.msg_namelen = sizeof(names_[i]);
      }
      int n = ::recvmmsg(sock_.native_handle(), msgs_.data(), batch, MSG_DONTWAIT, nullptr);
      if (n <= 0) return;
      for (int i = 0; i < n; ++i) {
        udp::endpoint from;
        std::memcpy(from.data(), &names_[i],
                    std::min<std::size_t>(msgs_[i].msg_hdr.msg_namelen, sizeof(names_[i])));
        gw_->on_datagram(
            std::span(rbuf_.get() + static_cast<std::size_t>(i) * slot, msgs_[i].msg_len), from,
            now);
      }
      if (static_cast<std::size_t>(n) < batch) return;
    }
  }

  void flush() {
    auto& out = gw_->output();
    for (auto& d : out) {
      boost::system::error_code ec;
      udp::endpoint to = d.to;
      if (local_.address().is_v6() && to.address().is_v4())
        to = udp::endpoint(asio::ip::make_address_v6(asio::ip::v4_mapped, to.address().to_v4()),
                           to.port());
      sock_.send_to(asio::buffer(d.bytes), to, 0, ec);
      if (ec) {
        ++send_failures_;
        log_->debug("send_failed peer={} error=\"{}\"", net::to_string(to), ec.message());
      }
    }
    out.clear();
    arm();
  }

  void arm() {
    auto d = gw_->next_deadline();
    if (!d || stopped_) return;
    if (armed_ && *armed_ <= *d) return;  // an earlier wake-up is already set
    armed_ = *d;
    timer_.expires_at(*d);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec == asio::error::operation_aborted || self->stopped_) return;
      self->armed_.reset();
      self->gw_->on_tick(channel::clock::now());
      self->flush();
    });
  }

  void advertise() {
    if (stopped_) return;
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(opts_.advertise_interval).count();
    gw_->output().push_back({*opts_.advertise_to, gw_->advertise_datagram(static_cast<uint16_t>(
                                                      std::min<int64_t>(secs, 0xFFFF)))});
    flush();
    adv_timer_.expires_after(opts_.advertise_interval);
    adv_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->advertise();
    });
  }

  void schedule_sys() {
    sys_timer_.expires_after(opts_.sys_interval);
    sys_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->stopped_) return;
      self->publish_sys();
      self->schedule_sys();
    });
  }

  // As the core's $SYS: EMQX-style names under $SYS/brokers/<node>/gateway/mqttsn/. The
  // counts every gateway has (clients/count, messages/received|sent|dropped) come from
  // status() through the app's per-gateway $SYS (gateway/app/ops_service.cpp).
  void publish_sys() {
    client_info me;
    me.client_id = "$edgegw-mqttsn";
    me.protocol = "internal";
    me.listener = opts_.gw.listener;
    const std::string base = "$SYS/brokers/" + opts_.node_name + "/gateway/mqttsn/";
    auto pub = [&](const char* name, auto value) {
      message m;
      m.topic = base + name;
      m.payload = std::to_string(value);
      m.from_client = me.client_id;
      // Nobody may be subscribed, and $SYS is best effort: the outcome is not needed.
      (void)broker_.publish(me, make_message(std::move(m)));
    };
    auto ld = [](const auto& a) { return a.load(std::memory_order_relaxed); };
    const auto& s = stats_;
    pub("clients/active", ld(s.clients_active));
    pub("clients/asleep", ld(s.clients_asleep));
    pub("clients/connects", ld(s.connects));
    pub("clients/refused", ld(s.connects_refused));
    pub("clients/lost", ld(s.clients_lost));
    pub("clients/address_changes", ld(s.takeovers));
    pub("messages/received/qos-1", ld(s.messages_qos_m1));
    pub("messages/rejected", ld(s.messages_rejected));
    pub("messages/retransmitted", ld(s.retransmissions));
    pub("messages/duplicates", ld(s.duplicates));
    pub("packets/received", ld(s.datagrams_received));
    pub("packets/sent", ld(s.datagrams_sent));
    pub("packets/malformed", ld(s.malformed));
    pub("packets/unknown_client", ld(s.unknown_client));
    pub("bytes/received", ld(s.bytes_received));
    pub("bytes/sent", ld(s.bytes_sent));
  }

  service_options opts_;
  asio::io_context& io_;
  broker& broker_;
  udp::socket sock_;
  asio::steady_timer timer_, adv_timer_, sys_timer_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const settings> cfg_;
  gateway_stats stats_;
  std::unique_ptr<gateway> gw_;
  // recvmmsg batch: `batch` slots, each big enough for any UDP datagram. Left uninitialised,
  // so only the pages the kernel writes (the first of each slot, for small datagrams)
  // become resident.
  static constexpr std::size_t batch = 32;
  static constexpr std::size_t slot = 65536;
  std::unique_ptr<uint8_t[]> rbuf_;
  std::array<mmsghdr, batch> msgs_{};
  std::array<iovec, batch> iov_{};
  std::array<sockaddr_storage, batch> names_{};
  udp::endpoint local_;
  std::optional<channel::time_point> armed_;
  uint64_t send_failures_ = 0;
  bool stopped_ = false;
  // For status() on other threads.
  const int64_t created_at_ms_ = net::unix_now_ms();
  std::atomic<int64_t> started_at_ms_{0};
  std::atomic<bool> stopped_flag_{false};
};

udp_service::udp_service(service_options opts, asio::io_context& io, broker& b)
    : impl_(std::make_shared<impl>(std::move(opts), io, b)) {}

udp_service::~udp_service() = default;

void udp_service::start() {
  impl_->open();
  impl_->start();
  impl_->mark_started();
  detail::logger()->info("started address={}", impl_->where());
}

std::vector<std::pair<std::string, std::string>> udp_service::endpoints() const {
  return {{"mqttsn", impl_->where()}};
}

void udp_service::stop() {
  impl_->stop();
}

const gateway_stats& udp_service::stats() const noexcept {
  return impl_->stats();
}

net::service_status udp_service::status() const {
  return impl_->status();
}

}  // namespace edgegw::mqttsn
