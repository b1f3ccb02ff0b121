// edgegw_mqttsn_bench: MQTT-SN publishers over UDP -> one MQTT subscriber over TCP (fan-in),
// to measure the MQTT-SN gateway beside edgegw_bench's MQTT-over-TCP fan-in. Each publisher
// is its own UDP socket and MQTT-SN client (CONNECT, REGISTER bench/sn/<i>), then floods:
// QoS 0 with a window of messages not yet seen by the subscriber (UDP drops what overflows a
// socket buffer, so an unbounded flood would measure the kernel's drops), QoS 1 with a
// window of unacknowledged PUBLISH. With --rate the publishers are paced at a fixed total
// rate instead (latency). Prints one JSON line: received msg/s in the measured window,
// latency percentiles (send -> subscriber), and losses. One thread; nothing is locked.
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/bench/client.hpp"
#include "tests/bench/wire.hpp"

namespace edgegw::bench {
namespace {

using udp = asio::ip::udp;
using clock_type = std::chrono::steady_clock;

struct sn_options {
  std::string host = "127.0.0.1";
  std::uint16_t mqtt_port = 1883;
  std::uint16_t sn_port = 1884;
  int qos = 0;
  int publishers = 50;
  std::size_t payload = 64;
  double duration = 8;
  double warmup = 1;
  int window = 200;  // QoS 0: per publisher, sent but not yet received
  int inflight = 1;  // QoS 1: per publisher, unacknowledged
  double rate = 0;   // > 0: paced, total msg/s
};

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(clock_type::now().time_since_epoch())
          .count());
}

std::string sn_frame(std::uint8_t type, const std::string& body) {
  std::string out;
  out.push_back(static_cast<char>(body.size() + 2));
  out.push_back(static_cast<char>(type));
  return out + body;
}

class run final : public client::handler {
 public:
  run(asio::io_context& io, const sn_options& o)
      : io_(io), o_(o), tick_(io), sub_(io, *this, 0, 1 << 20) {}

  int go() {
    gw_ = udp::endpoint(asio::ip::make_address(o_.host), o_.sn_port);
    sub_.start(tcp::endpoint(asio::ip::make_address(o_.host), o_.mqtt_port), std::nullopt,
               "snbench-sub", 60);
    io_.run();
    return ok_ ? 0 : 1;
  }

  // MQTT subscriber ---------------------------------------------------------------------
  void on_connected(client& c, std::uint8_t rc) override {
    if (rc != 0) return fail("subscriber CONNACK " + std::to_string(rc));
    wire::append_subscribe(c.out(), 1, "bench/sn/#", o_.qos);
    c.flush();
  }
  void on_frame(client& c, const wire::frame& f) override {
    if (f.type() == wire::suback) return start_publishers();
    if (f.type() != wire::publish) return;
    auto v = wire::parse_publish(f);
    if (!v) return;
    if (v->qos == 1) wire::append_puback(c.out(), v->packet_id);
    auto s = wire::read_stamp(*v);
    if (!s || s->publisher >= pubs_.size()) return;
    auto& p = pubs_[s->publisher];
    ++p.received;
    ++received_;
    if (measuring_) {
      ++received_in_window_;
      latencies_.push_back(
          static_cast<std::uint32_t>(std::min<std::uint64_t>(now_ns() - s->sent_ns, 0xFFFFFFFFu)));
    }
    if (o_.qos == 0 && o_.rate == 0 && !p.dirty) {
      p.dirty = true;
      dirty_.push_back(s->publisher);
    }
  }
  // Refill the windows once per read of the subscriber, so each publisher's datagrams go
  // out in one sendmmsg instead of one system call per delivered message.
  void on_read_done(client& c) override {
    c.flush();
    for (auto i : dirty_) {
      pubs_[i].dirty = false;
      fill(i);
    }
    dirty_.clear();
  }
  void on_closed(client&, const error_code& ec, std::string_view what) override {
    fail("subscriber " + std::string(what) + ": " + ec.message());
  }

 private:
  struct pub {
    std::unique_ptr<udp::socket> sock;
    std::array<char, 512> rbuf{};
    std::uint16_t topic_id = 0;
    bool ready = false;
    std::uint64_t sent = 0, received = 0, acked = 0, given_up = 0;
    std::uint64_t progress_at_check = 0;
    int inflight = 0;
    std::uint16_t next_id = 0;
    bool dirty = false;  // received something: refill after this read
  };

  void fail(std::string why) {
    if (!ok_) return;
    ok_ = false;
    std::cout << "{\"error\": \"" << why << "\"}" << std::endl;
    io_.stop();
  }

  void start_publishers() {
    pubs_.resize(static_cast<std::size_t>(o_.publishers));
    for (std::size_t i = 0; i < pubs_.size(); ++i) {
      auto& p = pubs_[i];
      p.sock = std::make_unique<udp::socket>(io_);
      p.sock->open(gw_.protocol());
      p.sock->connect(gw_);
      p.sock->non_blocking(true);
      std::string body;
      body.push_back(0x04);  // clean session
      body.push_back(0x01);
      body.push_back(0);
      body.push_back(60);
      body += "snbench-" + std::to_string(i);
      send(i, sn_frame(0x04, body));
      read(i);
    }
  }

  void send(std::size_t i, const std::string& d) {
    error_code ec;
    pubs_[i].sock->send(asio::buffer(d), 0, ec);
    if (ec) ++send_errors_;
  }

  void read(std::size_t i) {
    auto& p = pubs_[i];
    p.sock->async_receive(asio::buffer(p.rbuf), [this, i](const error_code& ec, std::size_t n) {
      if (ec) return;
      on_datagram(i, reinterpret_cast<const std::uint8_t*>(pubs_[i].rbuf.data()), n);
      read(i);
    });
  }

  void on_datagram(std::size_t i, const std::uint8_t* d, std::size_t n) {
    if (n < 2 || d[0] != n) return;
    auto& p = pubs_[i];
    switch (d[1]) {
      case 0x05:  // CONNACK
        if (n != 3 || d[2] != 0) return fail("CONNACK refused");
        send(i, sn_frame(0x0A, std::string("\0\0\0\1", 4) + "bench/sn/" + std::to_string(i)));
        break;
      case 0x0B:  // REGACK
        if (n != 7 || d[6] != 0) return fail("REGACK refused");
        p.topic_id = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
        p.ready = true;
        if (++ready_ == pubs_.size()) begin();
        break;
      case 0x0D:  // PUBACK
        if (n != 7) return;
        if (d[6] != 0) ++refused_;
        ++p.acked;
        --p.inflight;
        if (o_.rate == 0 && sending_) fill(i);
        break;
      default:
        break;
    }
  }

  void publish_one(std::size_t i) {
    auto& p = pubs_[i];
    std::string d(7 + std::max(o_.payload, wire::stamp_size), 'p');
    d[0] = static_cast<char>(d.size());
    d[1] = 0x0C;
    d[2] = static_cast<char>(o_.qos == 1 ? 0x20 : 0x00);
    d[3] = static_cast<char>(p.topic_id >> 8);
    d[4] = static_cast<char>(p.topic_id & 0xFF);
    std::uint16_t id = 0;
    if (o_.qos == 1) {
      p.next_id = p.next_id == 0xFFFF ? 1 : static_cast<std::uint16_t>(p.next_id + 1);
      id = p.next_id;
      ++p.inflight;
    }
    d[5] = static_cast<char>(id >> 8);
    d[6] = static_cast<char>(id & 0xFF);
    wire::stamp s{static_cast<std::uint32_t>(i), p.sent, now_ns()};
    std::memcpy(d.data() + 7, &s.publisher, 4);
    std::memcpy(d.data() + 11, &s.seq, 8);
    std::memcpy(d.data() + 19, &s.sent_ns, 8);
    ++p.sent;
    staged_.push_back(std::move(d));
    if (staged_.size() == 64) send_staged(i);
  }

  // The generator must be cheaper than the gateway: queued datagrams of one publisher go out
  // in one sendmmsg call.
  void send_staged(std::size_t i) {
    std::size_t done = 0;
    while (done < staged_.size()) {
      std::array<mmsghdr, 64> m{};
      std::array<iovec, 64> v{};
      std::size_t n = std::min<std::size_t>(64, staged_.size() - done);
      for (std::size_t k = 0; k < n; ++k) {
        v[k].iov_base = staged_[done + k].data();
        v[k].iov_len = staged_[done + k].size();
        m[k].msg_hdr.msg_iov = &v[k];
        m[k].msg_hdr.msg_iovlen = 1;
      }
      int r = ::sendmmsg(pubs_[i].sock->native_handle(), m.data(), static_cast<unsigned>(n), 0);
      if (r <= 0) {
        send_errors_ += n;
        break;
      }
      done += static_cast<std::size_t>(r);
    }
    staged_.clear();
  }

  void fill(std::size_t i) {
    if (!sending_) return;
    auto& p = pubs_[i];
    if (o_.qos == 0) {
      while (p.sent - p.received - p.given_up < static_cast<std::uint64_t>(o_.window))
        publish_one(i);
    } else {
      while (p.inflight < o_.inflight) publish_one(i);
    }
    send_staged(i);
  }

  void begin() {
    sending_ = true;
    start_ = clock_type::now();
    if (o_.rate > 0) {
      next_send_ = start_;
      pace();
    } else {
      for (std::size_t i = 0; i < pubs_.size(); ++i) fill(i);
    }
    schedule_tick();
  }

  // Paced: one timer, every millisecond, sends what the rate owes by now, round robin.
  void pace() {
    if (!sending_) return;
    const auto now = clock_type::now();
    const double owed = std::chrono::duration<double>(now - start_).count() * o_.rate;
    while (static_cast<double>(paced_sent_) < owed) {
      std::size_t i = paced_sent_ % pubs_.size();
      if (o_.qos == 0 || pubs_[i].inflight < o_.inflight) {
        publish_one(i);
        send_staged(i);
      }
      ++paced_sent_;
    }
    tick_pace_ = std::make_unique<asio::steady_timer>(io_, std::chrono::milliseconds(1));
    tick_pace_->async_wait([this](const error_code& ec) {
      if (!ec) pace();
    });
  }

  // Every 100 ms: the measured window's edges, and QoS 0 windows stalled by UDP losses
  // (what did not arrive within 100 ms is counted lost and the window moves on).
  // QoS 1 publishers are never given up on.
  void schedule_tick() {
    tick_.expires_after(std::chrono::milliseconds(100));
    tick_.async_wait([this](const error_code& ec) {
      if (ec) return;
      const double t = std::chrono::duration<double>(clock_type::now() - start_).count();
      if (!measuring_ && t >= o_.warmup && t < o_.warmup + o_.duration) {
        measuring_ = true;
        window_start_ = clock_type::now();
      }
      if (measuring_ && t >= o_.warmup + o_.duration) {
        measuring_ = false;
        window_end_ = clock_type::now();
        sending_ = false;
        return finish_after_drain();
      }
      for (std::size_t i = 0; i < pubs_.size(); ++i) {
        auto& p = pubs_[i];
        const std::uint64_t progress = o_.qos == 0 ? p.received : p.acked;
        if (progress == p.progress_at_check && o_.qos == 0) {
          // QoS 1 waits for its PUBACKs however long the broker holds them (flow control);
          // QoS 0 counts what did not arrive as lost.
          p.given_up = p.sent - p.received;
          if (o_.rate == 0) fill(i);
        }
        p.progress_at_check = progress;
      }
      schedule_tick();
    });
  }

  void finish_after_drain() {
    tick_.expires_after(std::chrono::milliseconds(500));
    tick_.async_wait([this](const error_code&) { report(); });
  }

  void report() {
    const double secs = std::chrono::duration<double>(window_end_ - window_start_).count();
    std::uint64_t sent = 0, received = 0;
    for (auto& p : pubs_) {
      sent += p.sent;
      received += p.received;
    }
    std::sort(latencies_.begin(), latencies_.end());
    auto pct = [&](double q) -> double {
      if (latencies_.empty()) return 0;
      std::size_t k =
          std::min(latencies_.size() - 1,
                   static_cast<std::size_t>(q * static_cast<double>(latencies_.size())));
      return latencies_[k] / 1000.0;  // us
    };
    char line[512];
    std::snprintf(line, sizeof line,
                  "{\"scenario\": \"mqttsn_fanin\", \"qos\": %d, \"publishers\": %d, "
                  "\"rate\": %.0f, \"msgs_per_sec\": %.0f, \"p50_us\": %.0f, \"p99_us\": %.0f, "
                  "\"sent\": %llu, \"received\": %llu, \"lost\": %llu, \"refused\": %llu, "
                  "\"send_errors\": %llu}",
                  o_.qos, o_.publishers, o_.rate, received_in_window_ / secs, pct(0.5), pct(0.99),
                  static_cast<unsigned long long>(sent), static_cast<unsigned long long>(received),
                  static_cast<unsigned long long>(sent - received),
                  static_cast<unsigned long long>(refused_),
                  static_cast<unsigned long long>(send_errors_));
    std::cout << line << std::endl;
    sub_.close();
    for (auto& p : pubs_) {
      error_code ec;
      p.sock->send(asio::buffer(std::string("\x02\x18", 2)), 0, ec);  // DISCONNECT
      p.sock->close(ec);
    }
    tick_.cancel();
    if (tick_pace_) tick_pace_->cancel();
    io_.stop();
  }

  asio::io_context& io_;
  const sn_options& o_;
  asio::steady_timer tick_;
  std::unique_ptr<asio::steady_timer> tick_pace_;
  client sub_;
  udp::endpoint gw_;
  std::vector<pub> pubs_;
  std::size_t ready_ = 0;
  bool ok_ = true;
  bool sending_ = false;
  bool measuring_ = false;
  clock_type::time_point start_, window_start_, window_end_, next_send_;
  std::uint64_t received_ = 0, received_in_window_ = 0, refused_ = 0, send_errors_ = 0;
  std::uint64_t paced_sent_ = 0;
  std::vector<std::uint32_t> latencies_;
  std::vector<std::string> staged_;
  std::vector<std::size_t> dirty_;
};

}  // namespace
}  // namespace edgegw::bench

int main(int argc, char** argv) {
  edgegw::bench::sn_options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--host")
      o.host = v;
    else if (k == "--mqtt-port")
      o.mqtt_port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--sn-port")
      o.sn_port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--qos")
      o.qos = std::stoi(v);
    else if (k == "--publishers")
      o.publishers = std::stoi(v);
    else if (k == "--payload")
      o.payload = static_cast<std::size_t>(std::stoul(v));
    else if (k == "--duration")
      o.duration = std::stod(v);
    else if (k == "--warmup")
      o.warmup = std::stod(v);
    else if (k == "--window")
      o.window = std::stoi(v);
    else if (k == "--inflight")
      o.inflight = std::stoi(v);
    else if (k == "--rate")
      o.rate = std::stod(v);
    else {
      std::cerr << "usage: edgegw_mqttsn_bench [--host H] [--mqtt-port P] [--sn-port P] "
                   "[--qos 0|1] [--publishers N] [--payload B] [--duration S] [--warmup S] "
                   "[--window N] [--inflight N] [--rate MSG_PER_S]\n";
      return 2;
    }
  }
  if (o.payload + 7 > 255 || o.qos < 0 || o.qos > 1 || o.publishers < 1) {
    std::cerr << "edgegw_mqttsn_bench: payload <= 248 bytes, qos 0 or 1, publishers >= 1\n";
    return 2;
  }
  boost::asio::io_context io;
  edgegw::bench::run r(io, o);
  return r.go();
}
