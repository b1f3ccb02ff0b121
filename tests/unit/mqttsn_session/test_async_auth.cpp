// CONNECT with hooks.make_auth_done: CONNACK only once authenticate_async answers, a
// resent CONNECT meanwhile ignored, late or stale answers dropped, QoS -1 publishes dropped
// until their shared client is admitted (unless the answer comes inline).
#include "fixture.hpp"

namespace edgegw::mqttsn::test {
namespace {

class AsyncAuthTest : public GatewayTest {
 protected:
  AsyncAuthTest() {
    async_auth = true;
    broker.defer_auth = true;
  }
  void send_connect(const std::string& id, udp::endpoint from = addr(5000)) {
    connect c;
    c.client_id = id;
    c.duration = 60;
    c.f.clean_session = true;
    send(c, from);
  }
};

TEST_F(AsyncAuthTest, ConnackWaitsForTheAnswer) {
  send_connect("c1");
  expect_silence();
  EXPECT_TRUE(broker.open_calls.empty());
  ASSERT_EQ(broker.deferred.size(), 1u);
  ASSERT_NE(gw().find_client("c1"), nullptr);
  EXPECT_EQ(gw().find_client("c1")->current_state(), channel::state::authenticating);
  answer_auth();
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  EXPECT_EQ(broker.open_calls.size(), 1u);
  EXPECT_EQ(gw().find_client("c1")->current_state(), channel::state::active);
}

TEST_F(AsyncAuthTest, ResentConnectWhilePendingIsIgnored) {
  send_connect("c1");
  send_connect("c1");
  expect_silence();
  EXPECT_EQ(broker.deferred.size(), 1u);  // asked once
  // Other messages before CONNACK are those of an unconnected client: ignored.
  publish p;
  p.f.qos = 1;
  p.f.id_type = topic_id_type::predefined;
  p.topic_id = 7;
  p.msg_id = 3;
  send(p);
  expect_silence();
  answer_auth();
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  expect_silence();
  EXPECT_EQ(broker.open_calls.size(), 1u);
  EXPECT_TRUE(broker.published.empty());
}

TEST_F(AsyncAuthTest, RefusalArrivesAsConnack) {
  broker.auth_error = errc::not_authorized;
  send_connect("c1");
  expect_silence();
  answer_auth();
  EXPECT_EQ(next<connack>().rc, return_code::not_supported);
  EXPECT_EQ(gw().find_client("c1"), nullptr);
  EXPECT_TRUE(broker.open_calls.empty());
}

TEST_F(AsyncAuthTest, AnswerAfterConnectTimeoutIsDropped) {
  send_connect("c1");
  advance(cfg.connect_timeout + 1s);
  EXPECT_EQ(gw().find_client("c1"), nullptr);
  answer_auth();  // the client state is gone: nothing happens
  expect_silence();
  EXPECT_TRUE(broker.open_calls.empty());
  EXPECT_EQ(stats.clients.load(), 0);
}

TEST_F(AsyncAuthTest, StaleAnswerOfAReplacedClientIsDropped) {
  send_connect("c1");
  send_connect("c2");  // another client id from the same address replaces c1's state
  ASSERT_EQ(broker.deferred.size(), 2u);
  answer_auth();  // c1's: its channel is gone
  expect_silence();
  answer_auth();
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  EXPECT_NE(gw().find_client("c2"), nullptr);
  EXPECT_EQ(broker.open_calls.size(), 1u);
}

TEST_F(AsyncAuthTest, QosMinusOneDroppedUntilAuthenticated) {
  publish p;
  p.f.qos = -1;
  p.f.id_type = topic_id_type::predefined;
  p.topic_id = 7;
  p.data = "first";
  send(p, addr(6000));
  p.data = "second";
  send(p, addr(6001));
  expect_silence();
  EXPECT_EQ(broker.deferred.size(), 1u);  // one authentication for the shared client
  EXPECT_EQ(stats.messages_dropped.load(), 2u);
  EXPECT_TRUE(broker.published.empty());
  answer_auth();
  p.data = "third";
  send(p, addr(6000));
  ASSERT_EQ(broker.published.size(), 1u);
  EXPECT_EQ(broker.published[0]->payload, "third");
  EXPECT_TRUE(auth_answers.empty());
}

TEST_F(AsyncAuthTest, QosMinusOnePublishedAtOnceWhenAnsweredInline) {
  broker.defer_auth = false;  // no remote source: the answer comes within the call
  publish p;
  p.f.qos = -1;
  p.f.id_type = topic_id_type::predefined;
  p.topic_id = 7;
  p.data = "first";
  send(p, addr(6000));
  ASSERT_EQ(broker.published.size(), 1u);
  EXPECT_EQ(broker.published[0]->payload, "first");
  EXPECT_TRUE(auth_answers.empty());
  EXPECT_EQ(stats.messages_dropped.load(), 0u);
}

}  // namespace
}  // namespace edgegw::mqttsn::test
