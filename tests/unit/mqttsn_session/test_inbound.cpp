// Client -> broker: REGISTER, PUBLISH at QoS -1, 0, 1, 2 with every topic id type, return
// codes, duplicates, throttling, SUBSCRIBE / UNSUBSCRIBE.
#include "fixture.hpp"

namespace edgegw::mqttsn::test {
namespace {

publish pub(uint16_t topic_id, int8_t qos, uint16_t msg_id, std::string data,
            topic_id_type t = topic_id_type::normal, bool dup = false) {
  publish p;
  p.f.qos = qos;
  p.f.id_type = t;
  p.f.dup = dup;
  p.topic_id = topic_id;
  p.msg_id = msg_id;
  p.data = std::move(data);
  return p;
}

subscribe sub(std::string name, int8_t qos, uint16_t msg_id,
              topic_id_type t = topic_id_type::normal, uint16_t id = 0,
              msg_type type = msg_type::subscribe) {
  subscribe s;
  s.type = type;
  s.f.qos = qos;
  s.f.id_type = t;
  s.msg_id = msg_id;
  s.topic_name = std::move(name);
  s.topic_id = id;
  return s;
}

TEST_F(GatewayTest, RegisterThenPublishQos1) {
  connected();
  send(reg{0, 11, "a/b"});
  auto ra = next<regack>();
  EXPECT_EQ(ra.topic_id, 1025);
  EXPECT_EQ(ra.msg_id, 11);
  EXPECT_EQ(ra.rc, return_code::accepted);
  send(pub(1025, 1, 12, "hello"));
  auto pa = next<puback>();
  EXPECT_EQ(pa.topic_id, 1025);
  EXPECT_EQ(pa.msg_id, 12);
  EXPECT_EQ(pa.rc, return_code::accepted);
  ASSERT_EQ(broker.published.size(), 1u);
  EXPECT_EQ(broker.published[0]->topic, "a/b");  // the broker applies the mountpoint
  EXPECT_EQ(broker.published[0]->payload, "hello");
  EXPECT_EQ(broker.published[0]->qos, 1);
  EXPECT_EQ(stats.messages_received.load(), 1u);
}

TEST_F(GatewayTest, Qos0NeedsNoAck) {
  connected();
  send(reg{0, 1, "t"});
  next<regack>();
  publish p = pub(1025, 0, 0, "x");
  p.f.retain = true;
  send(p);
  expect_silence();
  ASSERT_EQ(broker.published.size(), 1u);
  EXPECT_TRUE(broker.published[0]->retain);
}

TEST_F(GatewayTest, UnknownTopicIdIsRefused) {
  connected();
  send(pub(1030, 1, 5, "x"));
  auto a = next<puback>();
  EXPECT_EQ(a.rc, return_code::invalid_topic_id);
  EXPECT_EQ(a.topic_id, 1030);
  send(pub(99, 0, 0, "x", topic_id_type::predefined));  // told even at QoS 0
  EXPECT_EQ(next<puback>().rc, return_code::invalid_topic_id);
  send(pub(1, 1, 6, "x", topic_id_type::reserved));
  EXPECT_EQ(next<puback>().rc, return_code::not_supported);
  EXPECT_TRUE(broker.published.empty());
}

TEST_F(GatewayTest, PredefinedAndShortTopics) {
  connected();
  send(pub(7, 1, 1, "p", topic_id_type::predefined));
  EXPECT_EQ(next<puback>().rc, return_code::accepted);
  send(pub(short_topic_id('t', 'x'), 1, 2, "s", topic_id_type::short_name));
  EXPECT_EQ(next<puback>().rc, return_code::accepted);
  ASSERT_EQ(broker.published.size(), 2u);
  EXPECT_EQ(broker.published[0]->topic, "pre/seven");
  EXPECT_EQ(broker.published[1]->topic, "tx");
}

TEST_F(GatewayTest, AclRefusalIsNotSupported) {
  connected();
  broker.publish_error = errc::not_authorized;
  send(pub(7, 1, 3, "no", topic_id_type::predefined));
  EXPECT_EQ(next<puback>().rc, return_code::not_supported);
  broker.publish_error = errc::quota_exceeded;
  send(pub(7, 1, 4, "no", topic_id_type::predefined));
  EXPECT_EQ(next<puback>().rc, return_code::congestion);
  EXPECT_EQ(stats.messages_rejected.load(), 2u);
}

TEST_F(GatewayTest, ResentQos1IsAcknowledgedNotRoutedTwice) {
  connected();
  send(pub(7, 1, 9, "once", topic_id_type::predefined));
  next<puback>();
  send(pub(7, 1, 9, "once", topic_id_type::predefined, true));
  EXPECT_EQ(next<puback>().rc, return_code::accepted);
  EXPECT_EQ(broker.published.size(), 1u);
  EXPECT_EQ(stats.duplicates.load(), 1u);
  // Without DUP the same id is a new message (ids are reused).
  send(pub(7, 1, 9, "again", topic_id_type::predefined));
  next<puback>();
  EXPECT_EQ(broker.published.size(), 2u);
}

TEST_F(GatewayTest, Qos2ExactlyOnce) {
  connected();
  send(pub(7, 2, 21, "two", topic_id_type::predefined));
  EXPECT_EQ(next<msg_id_only>(), (msg_id_only{msg_type::pubrec, 21}));
  send(pub(7, 2, 21, "two", topic_id_type::predefined, true));
  EXPECT_EQ(next<msg_id_only>(), (msg_id_only{msg_type::pubrec, 21}));
  EXPECT_EQ(broker.published.size(), 1u);
  send(msg_id_only{msg_type::pubrel, 21});
  EXPECT_EQ(next<msg_id_only>(), (msg_id_only{msg_type::pubcomp, 21}));
  EXPECT_TRUE(broker.sess->incoming_qos2.empty());
}

TEST_F(GatewayTest, QosMinus1WithoutConnection) {
  send(pub(7, -1, 0, "fire and forget", topic_id_type::predefined), addr(8000));
  send(pub(short_topic_id('a', 'b'), -1, 0, "short", topic_id_type::short_name), addr(8001));
  expect_silence();
  ASSERT_EQ(broker.published.size(), 2u);
  EXPECT_EQ(broker.published[0]->topic, "pre/seven");
  EXPECT_EQ(broker.published[0]->qos, 0);
  EXPECT_EQ(broker.published[1]->topic, "ab");
  EXPECT_EQ(broker.auth_calls.size(), 1u);  // one anonymous publisher
  EXPECT_EQ(broker.auth_calls[0].mountpoint, "mp/");
  // Normal ids mean nothing without a connection.
  send(pub(1025, -1, 0, "lost", topic_id_type::normal), addr(8000));
  EXPECT_EQ(broker.published.size(), 2u);
  EXPECT_EQ(stats.messages_qos_m1.load(), 2u);
}

TEST_F(GatewayTest, QosMinus1FromAConnectedClientPublishesAsIt) {
  connected("me");
  send(pub(7, -1, 0, "mine", topic_id_type::predefined));
  ASSERT_EQ(broker.published.size(), 1u);
  EXPECT_EQ(broker.auth_calls.size(), 1u);  // no anonymous client needed
}

TEST_F(GatewayTest, ThrottledPublishHoldsItsAck) {
  connected();
  broker.throttle_next = true;
  send(pub(7, 1, 30, "slow", topic_id_type::predefined));
  expect_silence();
  ASSERT_EQ(unthrottled.size(), 0u);
  ASSERT_TRUE(broker.unthrottle);
  broker.unthrottle();  // the fake records where the real one would post
  ASSERT_EQ(unthrottled.size(), 1u);
  gw().on_unthrottled(unthrottled[0].first, unthrottled[0].second, now);
  collect();
  EXPECT_EQ(next<puback>().msg_id, 30);
}

TEST_F(GatewayTest, SubscribeByNameGetsATopicId) {
  connected();
  send(sub("s/one", 1, 40));
  auto a = next<suback>();
  EXPECT_EQ(a.rc, return_code::accepted);
  EXPECT_EQ(a.topic_id, 1025);
  EXPECT_EQ(a.msg_id, 40);
  EXPECT_EQ(a.f.qos, 1);
  ASSERT_EQ(broker.subscribes.size(), 1u);
  EXPECT_EQ(broker.subscribes[0][0].filter, "s/one");
  EXPECT_EQ(broker.subscribes[0][0].options.qos, 1);
  // The same name later registered by the client has the same id.
  send(reg{0, 41, "s/one"});
  EXPECT_EQ(next<regack>().topic_id, 1025);
}

TEST_F(GatewayTest, SubscribeWildcardGetsTopicIdZero) {
  connected();
  send(sub("s/#", 2, 42));
  auto a = next<suback>();
  EXPECT_EQ(a.rc, return_code::accepted);
  EXPECT_EQ(a.topic_id, 0);
  EXPECT_EQ(a.f.qos, 2);
}

TEST_F(GatewayTest, SubscribePredefinedAndShort) {
  connected();
  send(sub("", 0, 43, topic_id_type::predefined, 7));
  auto a = next<suback>();
  EXPECT_EQ(a.rc, return_code::accepted);
  EXPECT_EQ(a.topic_id, 7);
  send(sub("", 0, 44, topic_id_type::short_name, short_topic_id('z', 'z')));
  EXPECT_EQ(next<suback>().rc, return_code::accepted);
  EXPECT_EQ(broker.subscribes[0][0].filter, "pre/seven");
  EXPECT_EQ(broker.subscribes[1][0].filter, "zz");
  send(sub("", 0, 45, topic_id_type::predefined, 8));
  EXPECT_EQ(next<suback>().rc, return_code::invalid_topic_id);
  send(sub("x", -1, 46));
  EXPECT_EQ(next<suback>().rc, return_code::not_supported);
}

TEST_F(GatewayTest, SubscribeRefusedByTheBroker) {
  connected();
  broker.subscribe_errors["secret/#"] = errc::not_authorized;
  send(sub("secret/#", 0, 47));
  EXPECT_EQ(next<suback>().rc, return_code::not_supported);
}

TEST_F(GatewayTest, Unsubscribe) {
  connected();
  send(sub("u/+", 0, 48, topic_id_type::normal, 0, msg_type::unsubscribe));
  EXPECT_EQ(next<msg_id_only>(), (msg_id_only{msg_type::unsuback, 48}));
  ASSERT_EQ(broker.unsubscribes.size(), 1u);
  EXPECT_EQ(broker.unsubscribes[0][0], "u/+");
  send(sub("", 0, 49, topic_id_type::predefined, 7, msg_type::unsubscribe));
  next<msg_id_only>();
  EXPECT_EQ(broker.unsubscribes[1][0], "pre/seven");
}

}  // namespace
}  // namespace edgegw::mqttsn::test
