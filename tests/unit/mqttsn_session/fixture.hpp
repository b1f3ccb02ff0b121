// Drives mqttsn::gateway without I/O: datagrams from fake addresses and a fake clock in,
// decoded datagrams out, the recording fake broker behind.
#pragma once
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "fake_broker.hpp"
#include "protocols/mqttsn/adapter/gateway.hpp"
#include "protocols/mqttsn/codec/codec.hpp"

namespace edgegw::mqttsn::test {

using edgegw::test::fake_broker;
using udp = boost::asio::ip::udp;
using namespace std::chrono_literals;

struct recording_sink final : delivery_sink {
  int ready = 0;
  std::vector<close_reason> closes;
  void on_ready() override { ++ready; }
  void on_close(close_reason r) override { closes.push_back(r); }
};

// The fake broker, able to keep authenticate_async answers back (a remote source pending).
struct test_broker : fake_broker {
  bool defer_auth = false;
  std::deque<std::pair<credentials, authenticate_handler>> deferred;
  void authenticate_async(const credentials& c, authenticate_handler done) override {
    if (!defer_auth) {
      done(authenticate(c));
      return;
    }
    deferred.emplace_back(c, std::move(done));
  }
};

struct sent {
  udp::endpoint to;
  packet p;
  std::string bytes;
};

class GatewayTest : public ::testing::Test {
 protected:
  GatewayTest() {
    cfg.predefined = {{7, "pre/seven"}};
    cfg.predefined_ids = {{"pre/seven", 7}};
    cfg.retry_interval = 1s;
    cfg.max_retries = 2;
    cfg.mountpoint = "mp/";
  }

  gateway& gw() {
    if (!gw_) {
      channel::hooks h;
      h.make_sink = [this](uint64_t serial, uint64_t gen) {
        last_serial = serial;
        last_gen = gen;
        auto s = std::make_shared<recording_sink>();
        sinks.push_back(s);
        return std::shared_ptr<delivery_sink>(s);
      };
      h.make_unthrottle = [this](uint64_t serial, uint64_t gen) {
        return std::function<void()>([this, serial, gen] { unthrottled.push_back({serial, gen}); });
      };
      if (async_auth) {
        // Answers are kept and handed to the gateway by answer_auth(), as the service's
        // post would later.
        h.make_auth_done = [this](uint64_t serial, uint64_t attempt) {
          return broker::authenticate_handler([this, serial, attempt](result<client_info> r) {
            auth_answers.push_back({serial, attempt, std::move(r)});
          });
        };
      }
      gw_ = std::make_unique<gateway>(std::make_shared<const settings>(cfg), broker, std::move(h),
                                      stats);
    }
    return *gw_;
  }

  static udp::endpoint addr(uint16_t port) {
    return udp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port);
  }

  void send_raw(const std::string& bytes, udp::endpoint from) {
    gw().on_datagram(std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), from,
                     now);
    collect();
  }
  void send(const packet& p, udp::endpoint from = addr(5000)) {
    std::string b;
    ASSERT_GT(encode(p, b), 0u);
    send_raw(b, from);
  }
  void collect() {
    for (auto& d : gw().output()) {
      sent s{d.to, {}, d.bytes};
      auto r =
          decode(std::span(reinterpret_cast<const uint8_t*>(d.bytes.data()), d.bytes.size()), s.p);
      EXPECT_EQ(r.status, decode_status::ok);
      out.push_back(std::move(s));
    }
    gw().output().clear();
  }
  // The next datagram sent, which must hold a T.
  template <class T>
  T next() {
    EXPECT_FALSE(out.empty()) << "nothing sent";
    if (out.empty()) return T{};
    sent s = std::move(out.front());
    out.pop_front();
    const T* t = std::get_if<T>(&s.p);
    EXPECT_NE(t, nullptr) << "sent " << to_string(type_of(s.p));
    return t ? *t : T{};
  }
  void expect_silence() {
    EXPECT_TRUE(out.empty()) << "sent " << (out.empty() ? "" : to_string(type_of(out.front().p)));
  }
  void advance(std::chrono::milliseconds d) {
    now += d;
    gw().on_tick(now);
    collect();
  }
  void ready() {
    gw().on_deliveries_ready(last_serial, last_gen, now);
    collect();
  }

  // CONNECT "c1" from port 5000 and take its CONNACK.
  void connected(const std::string& id = "c1", uint16_t keepalive = 60,
                 udp::endpoint from = addr(5000)) {
    connect c;
    c.client_id = id;
    c.duration = keepalive;
    c.f.clean_session = true;
    send(c, from);
    ASSERT_EQ(next<connack>().rc, return_code::accepted);
  }
  // Queue a delivery for the client's session and tell the gateway.
  void deliver(const std::string& topic, const std::string& payload, uint8_t qos, uint16_t id = 0) {
    message m;
    m.topic = topic;
    m.payload = payload;
    m.qos = qos;
    auto msg = make_message(std::move(m));
    delivery d;
    d.msg = msg;
    d.topic = msg->topic;
    d.qos = qos;
    d.id = id;
    broker.sess->enqueue(std::move(d));
    ready();
  }

  struct auth_answer {
    uint64_t serial = 0, attempt = 0;
    result<client_info> r = errc::unspecified;
  };
  // Let the broker give its oldest deferred answer, then hand the oldest answer the
  // gateway's handler kept to the gateway (as the service's post would).
  void answer_auth() {
    if (!broker.deferred.empty()) {
      auto [c, done] = std::move(broker.deferred.front());
      broker.deferred.pop_front();
      done(broker.authenticate(c));
    }
    ASSERT_FALSE(auth_answers.empty());
    auto a = std::move(auth_answers.front());
    auth_answers.pop_front();
    gw().on_authenticated(a.serial, a.attempt, std::move(a.r), now);
    collect();
  }

  bool async_auth = false;
  std::deque<auth_answer> auth_answers;
  settings cfg;
  test_broker broker;
  gateway_stats stats;
  std::unique_ptr<gateway> gw_;
  channel::time_point now = channel::clock::now();
  std::deque<sent> out;
  std::vector<std::shared_ptr<recording_sink>> sinks;
  std::vector<std::pair<uint64_t, uint64_t>> unthrottled;
  uint64_t last_serial = 0, last_gen = 0;
};

}  // namespace edgegw::mqttsn::test
