// mqtt::channel with a link that authenticates asynchronously: CONNECT waits for
// authenticate_async's answer without consuming the bytes behind it, then goes on (accept or
// refuse); an answer that arrives after the transport closed opens no session.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace edgegw::test {
namespace {

using mqtt::version;

struct async_harness : harness {
  // What authenticate_async handed back (through the link).
  std::vector<result<client_info>>& answers = sink->auth_answers;

  mqtt::channel& make_async() {
    sink->async_auth = true;
    return make();
  }
  void answer() {
    ASSERT_EQ(answers.size(), 1u);
    auto r = std::move(answers.front());
    answers.clear();
    ch->on_authenticated(std::move(r), now);
  }
};

TEST(mqtt_async_auth, input_waits_for_the_answer_then_continues) {
  async_harness h;
  h.make_async();
  const std::string connect = h.bytes_of(harness::connect_packet(version::v311, "dev1"));
  const std::string ping = h.bytes_of(mqtt::pingreq{});
  EXPECT_EQ(h.feed_bytes(connect + ping), connect.size());  // PINGREQ is left unread
  EXPECT_TRUE(h.ch->output().empty());
  EXPECT_FALSE(h.ch->wants_read());
  EXPECT_FALSE(h.ch->connected());
  EXPECT_TRUE(h.b.open_calls.empty());
  h.answer();
  auto a = h.take_one<mqtt::connack>();
  EXPECT_EQ(a.reason_code, 0);
  EXPECT_TRUE(h.ch->connected());
  EXPECT_EQ(h.ch->client_id(), "dev1");
  EXPECT_TRUE(h.ch->wants_read());
  EXPECT_EQ(h.feed_bytes(ping), ping.size());
  h.take_one<mqtt::pingresp>();
}

TEST(mqtt_async_auth, refusal_after_the_answer) {
  async_harness h;
  h.ver = version::v5;
  h.b.auth_error = errc::bad_credentials;
  h.make_async();
  h.feed(harness::connect_packet(version::v5, "dev1"));
  EXPECT_TRUE(h.ch->output().empty());
  h.answer();
  auto a = h.take_one<mqtt::connack>();
  EXPECT_EQ(a.reason_code, 0x86);
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.b.open_calls.empty());
}

TEST(mqtt_async_auth, late_answer_after_close_opens_nothing) {
  async_harness h;
  h.make_async();
  h.feed(harness::connect_packet(version::v311, "dev1"));
  h.ch->on_transport_closed();
  h.answer();
  EXPECT_TRUE(h.b.open_calls.empty());
  EXPECT_FALSE(h.ch->connected());
}

TEST(mqtt_async_auth, idle_timeout_still_applies_while_waiting) {
  async_harness h;
  h.cfg->idle_timeout = std::chrono::seconds(5);
  h.make_async();
  h.feed(harness::connect_packet(version::v311, "dev1"));
  h.tick(std::chrono::seconds(6));
  EXPECT_TRUE(h.ch->wants_close());
  h.answer();
  EXPECT_TRUE(h.b.open_calls.empty());
}

}  // namespace
}  // namespace edgegw::test
