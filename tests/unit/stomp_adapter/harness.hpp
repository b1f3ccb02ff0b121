// Drives one stomp::channel against the fake broker: frames in as text, frames out decoded,
// time moved by hand.
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fake_broker.hpp"
#include "protocols/stomp/adapter/channel.hpp"

namespace edgegw::stomp::test {

using namespace std::chrono_literals;
using namespace std::string_literals;

class null_sink final : public delivery_sink {
 public:
  void on_ready() override { ++ready; }
  void on_close(close_reason) override {}
  int ready = 0;
};

struct harness {
  // async_auth: authenticate_async answers are kept in auth_answers (the glue would post
  // them); hand them over with answer_auth().
  explicit harness(settings s = {}, bool async_auth = false) {
    cfg = std::make_shared<settings>(std::move(s));
    channel::hooks h;
    h.sink = sink;
    h.on_unthrottle = [this] { ++unthrottles; };
    if (async_auth)
      h.on_authenticated = [this](result<client_info> r) { auth_answers.push_back(std::move(r)); };
    ch = std::make_unique<channel>(cfg, broker, "127.0.0.1:5000", std::move(h), now);
  }

  // Feed bytes (everything unconsumed is kept and fed again, as the glue does).
  void feed(const std::string& bytes) {
    pending += bytes;
    auto n = ch->on_bytes({reinterpret_cast<const uint8_t*>(pending.data()), pending.size()}, now);
    pending.erase(0, n);
  }

  // Frames written since the last call (heart-beat EOLs counted apart).
  std::vector<frame> frames() {
    std::string& out = ch->output();
    wire += out;
    out.clear();
    decoder d(limits{1 << 24, 1000, 1 << 20, 1 << 24});
    d.set_version(ch->protocol_version());
    std::vector<frame> got;
    while (!wire.empty()) {
      frame f;
      auto r = d.decode({reinterpret_cast<const uint8_t*>(wire.data()), wire.size()}, f);
      if (r.status == decode_status::need_more) break;
      EXPECT_TRUE(r.status == decode_status::frame || r.status == decode_status::heartbeat)
          << (r.error ? r.error : "");
      if (r.status == decode_status::heartbeat) ++heartbeats;
      if (r.status == decode_status::frame) got.push_back(std::move(f));
      if (r.consumed == 0) break;
      wire.erase(0, r.consumed);
    }
    return got;
  }

  // One frame expected; returns it.
  frame one() {
    auto f = frames();
    EXPECT_EQ(f.size(), 1u);
    return f.empty() ? frame{} : f[0];
  }

  void connect(const std::string& headers = "accept-version:1.2\nheart-beat:0,0\n") {
    feed("CONNECT\n" + headers + "\n\0"s);
    auto f = one();
    ASSERT_EQ(f.command, "CONNECTED");
  }

  void advance(std::chrono::milliseconds d) {
    now += d;
    ch->on_tick(now);
  }

  // Queue a broker delivery and let the channel pull it.
  void deliver(const std::string& topic, const std::string& payload, uint16_t id, uint8_t qos = 1) {
    message m;
    m.topic = topic;
    m.payload = payload;
    m.qos = qos;
    delivery d;
    d.msg = make_message(std::move(m));
    d.topic = d.msg->topic;
    d.id = id;
    d.qos = qos;
    broker.sess->enqueue(std::move(d));
    ch->on_deliveries_ready(now);
  }

  // The oldest kept answer to the channel, then the input left unconsumed (as the glue).
  void answer_auth() {
    ASSERT_FALSE(auth_answers.empty());
    auto r = std::move(auth_answers.front());
    auth_answers.erase(auth_answers.begin());
    ch->on_authenticated(std::move(r), now);
    feed("");
  }

  std::vector<result<client_info>> auth_answers;
  channel::time_point now = channel::clock::now();
  std::shared_ptr<settings> cfg;
  edgegw::test::fake_broker broker;
  std::shared_ptr<null_sink> sink = std::make_shared<null_sink>();
  std::unique_ptr<channel> ch;
  std::string pending;
  std::string wire;
  int heartbeats = 0;
  int unthrottles = 0;
};

inline std::string hdr(const frame& f, std::string_view name) {
  const auto* v = f.find(name);
  return v ? *v : "<none>";
}

}  // namespace edgegw::stomp::test
