// Broker -> client: topic id choice, REGISTER before the first delivery on a name, the
// inflight window, acknowledgements, resends with DUP, and losing an unresponsive client.
#include "fixture.hpp"

namespace edgegw::mqttsn::test {
namespace {

TEST_F(GatewayTest, RegisterBeforeTheFirstDeliveryOnAName) {
  connected();
  deliver("news/1", "first", 0);
  auto r = next<reg>();
  EXPECT_EQ(r.topic_id, 1025);
  EXPECT_EQ(r.topic_name, "news/1");
  expect_silence();  // the PUBLISH waits for the REGACK
  send(regack{r.topic_id, r.msg_id, return_code::accepted});
  auto p = next<publish>();
  EXPECT_EQ(p.topic_id, 1025);
  EXPECT_EQ(p.f.id_type, topic_id_type::normal);
  EXPECT_EQ(p.data, "first");
  // Known now: no second REGISTER.
  deliver("news/1", "second", 0);
  EXPECT_EQ(next<publish>().data, "second");
  EXPECT_EQ(stats.messages_sent.load(), 2u);
}

TEST_F(GatewayTest, PredefinedAndShortTopicsNeedNoRegister) {
  connected();
  deliver("pre/seven", "p", 0);
  auto p = next<publish>();
  EXPECT_EQ(p.f.id_type, topic_id_type::predefined);
  EXPECT_EQ(p.topic_id, 7);
  deliver("ab", "s", 0);
  auto s = next<publish>();
  EXPECT_EQ(s.f.id_type, topic_id_type::short_name);
  EXPECT_EQ(s.topic_id, short_topic_id('a', 'b'));
}

TEST_F(GatewayTest, Qos1DeliveryIsAcknowledgedToTheSession) {
  connected();
  deliver("ab", "one", 1, 100);
  auto p = next<publish>();
  EXPECT_EQ(p.f.qos, 1);
  EXPECT_EQ(p.msg_id, 100);
  EXPECT_FALSE(p.f.dup);
  send(puback{p.topic_id, 100, return_code::accepted});
  ASSERT_EQ(broker.sess->acks.size(), 1u);
  EXPECT_EQ(std::get<0>(broker.sess->acks[0]), 100);
  EXPECT_EQ(std::get<1>(broker.sess->acks[0]), ack_type::puback);
}

TEST_F(GatewayTest, OneInflightAtATimeByDefault) {
  connected();
  deliver("ab", "one", 1, 1);
  deliver("ab", "two", 1, 2);
  EXPECT_EQ(next<publish>().msg_id, 1);
  expect_silence();
  send(puback{0, 1, return_code::accepted});
  EXPECT_EQ(next<publish>().msg_id, 2);
}

TEST_F(GatewayTest, Qos2Delivery) {
  connected();
  deliver("ab", "two", 2, 5);
  EXPECT_EQ(next<publish>().f.qos, 2);
  send(msg_id_only{msg_type::pubrec, 5});
  EXPECT_EQ(next<msg_id_only>(), (msg_id_only{msg_type::pubrel, 5}));
  send(msg_id_only{msg_type::pubcomp, 5});
  ASSERT_EQ(broker.sess->acks.size(), 2u);
  EXPECT_EQ(std::get<1>(broker.sess->acks[0]), ack_type::pubrec);
  EXPECT_EQ(std::get<1>(broker.sess->acks[1]), ack_type::pubcomp);
  EXPECT_TRUE(broker.sess->inflight.empty());
}

TEST_F(GatewayTest, UnacknowledgedPublishIsResentWithDupThenTheClientIsLost) {
  cfg.max_retries = 2;
  connected("flaky", 0);
  deliver("ab", "x", 1, 9);
  EXPECT_FALSE(next<publish>().f.dup);
  advance(1s);
  auto r1 = next<publish>();
  EXPECT_TRUE(r1.f.dup);
  EXPECT_EQ(r1.msg_id, 9);
  advance(1s);
  EXPECT_TRUE(next<publish>().f.dup);
  EXPECT_EQ(stats.retransmissions.load(), 2u);
  advance(1s);
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_EQ(broker.closes[0].reason, close_reason::connection_lost);
  EXPECT_TRUE(broker.closes[0].send_will);
  EXPECT_EQ(gw().client_count(), 0u);
}

TEST_F(GatewayTest, PubrelIsResentToo) {
  connected("q2", 0);
  deliver("ab", "x", 2, 3);
  next<publish>();
  send(msg_id_only{msg_type::pubrec, 3});
  next<msg_id_only>();
  advance(1s);
  EXPECT_EQ(next<msg_id_only>(), (msg_id_only{msg_type::pubrel, 3}));
}

TEST_F(GatewayTest, RegisterIsResent) {
  connected("r", 0);
  deliver("long/name", "x", 0);
  auto r = next<reg>();
  advance(1s);
  auto again = next<reg>();
  EXPECT_EQ(again.msg_id, r.msg_id);
  EXPECT_EQ(again.topic_id, r.topic_id);
}

TEST_F(GatewayTest, ClientRefusingARegisterDropsWhatWaitsForIt) {
  connected();
  deliver("long/name", "x", 1, 4);
  auto r = next<reg>();
  send(regack{r.topic_id, r.msg_id, return_code::not_supported});
  expect_silence();
  ASSERT_EQ(broker.sess->acks.size(), 1u);  // taken out of the session's window
  EXPECT_EQ(stats.messages_dropped.load(), 1u);
}

TEST_F(GatewayTest, InvalidTopicIdFromTheClientRegistersAgain) {
  connected();
  deliver("long/name", "x", 1, 4);
  auto r = next<reg>();
  send(regack{r.topic_id, r.msg_id, return_code::accepted});
  auto p = next<publish>();
  send(puback{p.topic_id, p.msg_id, return_code::invalid_topic_id});
  auto r2 = next<reg>();
  EXPECT_EQ(r2.topic_name, "long/name");
  send(regack{r2.topic_id, r2.msg_id, return_code::accepted});
  auto p2 = next<publish>();
  EXPECT_EQ(p2.msg_id, 4);
  EXPECT_EQ(p2.data, "x");
}

TEST_F(GatewayTest, TopicLimitDropsDeliveriesThatWouldNeedANewId) {
  cfg.max_registered_topics = 1;
  connected();
  send(reg{0, 1, "mine"});
  next<regack>();
  deliver("other/topic", "x", 1, 6);
  expect_silence();
  EXPECT_EQ(stats.messages_dropped.load(), 1u);
  ASSERT_EQ(broker.sess->acks.size(), 1u);
}

TEST_F(GatewayTest, ExpiredMessagesAreNotSent) {
  connected();
  message m;
  m.topic = "ab";
  m.payload = "old";
  m.expire_at_ms = 1;  // long ago
  auto msg = make_message(std::move(m));
  delivery d;
  d.msg = msg;
  d.topic = msg->topic;
  broker.sess->enqueue(std::move(d));
  ready();
  expect_silence();
}

}  // namespace
}  // namespace edgegw::mqttsn::test
