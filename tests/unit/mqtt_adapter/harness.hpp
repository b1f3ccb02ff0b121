// Drives one mqtt::channel Sans-I/O against fake_broker: packets are encoded with the codec
// and fed as bytes, time is a fake steady clock advanced by the test, and the channel's
// output is decoded back into packets.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fake_broker.hpp"
#include "protocols/mqtt/adapter/channel.hpp"
#include "protocols/mqtt/codec/codec.hpp"

namespace edgegw::test {

using namespace std::chrono_literals;

// The channel's link: records what the broker signalled; optionally answers
// authentication asynchronously (the answers wait in `auth_answers` for the test).
class recording_sink final : public mqtt::channel::link {
 public:
  void on_ready() override { ++ready; }
  void on_close(close_reason r) override { closes.push_back(r); }
  void unthrottle() override { ++unthrottles; }
  bool authenticates_async() const override { return async_auth; }
  void authenticated(result<client_info> r) override { auth_answers.push_back(std::move(r)); }
  int64_t wall_clock_ms() override { return wall_ms; }
  int ready = 0;
  int unthrottles = 0;
  std::vector<close_reason> closes;
  bool async_auth = false;
  std::vector<result<client_info>> auth_answers;
  int64_t wall_ms = 1'700'000'000'000;
};

struct harness {
  fake_broker b;
  std::shared_ptr<mqtt::settings> cfg = std::make_shared<mqtt::settings>();
  std::shared_ptr<recording_sink> sink = std::make_shared<recording_sink>();
  mqtt::channel::time_point now = mqtt::channel::time_point{} + 1h;
  std::unique_ptr<mqtt::channel> ch;
  mqtt::version ver = mqtt::version::v311;  // how the test encodes and decodes

  // Build the channel (after adjusting cfg / b.limits).
  mqtt::channel& make() {
    ch = std::make_unique<mqtt::channel>(cfg, b, mqtt::channel::peer_info{"127.0.0.1:50000", ""},
                                         sink, now);
    return *ch;
  }

  static std::string bytes_of(const mqtt::packet& p, mqtt::version v) {
    std::string out;
    mqtt::encode(p, v, out);
    return out;
  }
  std::string bytes_of(const mqtt::packet& p) const { return bytes_of(p, ver); }

  std::size_t feed_bytes(std::string_view s) {
    return ch->on_bytes(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()), now);
  }
  std::size_t feed(const mqtt::packet& p) { return feed_bytes(bytes_of(p)); }

  // Decode and drain everything the channel has written.
  std::vector<mqtt::packet> take() {
    std::vector<mqtt::packet> out;
    std::string& o = ch->output();
    std::span<const uint8_t> in(reinterpret_cast<const uint8_t*>(o.data()), o.size());
    while (!in.empty()) {
      mqtt::packet p;
      auto r = mqtt::decode(in, ver, 0, p);
      EXPECT_EQ(r.status, mqtt::decode_status::ok) << (r.error ? r.error : "");
      if (r.status != mqtt::decode_status::ok) break;
      out.push_back(std::move(p));
      in = in.subspan(r.consumed);
    }
    o.clear();
    return out;
  }
  // Exactly one packet of type T.
  template <class T>
  T take_one() {
    auto v = take();
    EXPECT_EQ(v.size(), 1u);
    if (v.size() != 1 || !std::holds_alternative<T>(v[0])) {
      ADD_FAILURE() << "expected one packet of variant index " << mqtt::packet(T{}).index()
                    << ", got " << v.size() << " packets"
                    << (v.empty() ? "" : ", first index " + std::to_string(v[0].index()));
      return T{};
    }
    return std::get<T>(std::move(v[0]));
  }

  void tick(std::chrono::milliseconds d) {
    now += d;
    ch->on_tick(now);
  }

  static mqtt::connect connect_packet(mqtt::version v, std::string id, bool clean = true,
                                      uint16_t keepalive = 60) {
    mqtt::connect c;
    c.ver = v;
    c.protocol_name = v == mqtt::version::v31 ? "MQIsdp" : "MQTT";
    c.client_id = std::move(id);
    c.clean_start = clean;
    c.keep_alive = keepalive;
    return c;
  }

  // CONNECT and expect an accepting CONNACK.
  mqtt::connack connect(mqtt::connect c) {
    ver = c.ver;
    if (!ch) make();
    feed(c);
    auto a = take_one<mqtt::connack>();
    EXPECT_EQ(a.reason_code, 0);
    EXPECT_TRUE(ch->connected());
    return a;
  }
  mqtt::connack connect(mqtt::version v, std::string id = "c1") {
    return connect(connect_packet(v, std::move(id)));
  }

  // A delivery of a new message for the session to hand out.
  static delivery make_delivery(std::string topic, std::string payload, uint8_t qos, uint16_t id,
                                message extra = {}) {
    extra.topic = std::move(topic);
    extra.payload = std::move(payload);
    extra.qos = qos;
    delivery d;
    d.msg = make_message(std::move(extra));
    d.topic = d.msg->topic;
    d.qos = qos;
    d.id = id;
    return d;
  }
};

}  // namespace edgegw::test
