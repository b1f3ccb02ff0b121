// SEND, SUBSCRIBE with ack modes, ACK/NACK and redelivery, UNSUBSCRIBE, receipts,
// transactions and flow control.
#include "harness.hpp"

namespace edgegw::stomp::test {
namespace {

TEST(StompSend, PublishesDestinationAsWrittenWithReceipt) {
  harness h;
  h.connect();
  h.feed("SEND\ndestination:/a/b\ncontent-type:text/plain\nreceipt:r1\n\nhello\0"s);
  h.feed("SEND\ndestination:a/b\ncontent-length:3\n\nx\0y\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "RECEIPT");
  EXPECT_EQ(hdr(f, "receipt-id"), "r1");
  ASSERT_EQ(h.broker.published.size(), 2u);
  EXPECT_EQ(h.broker.published[0]->topic, "/a/b");
  EXPECT_EQ(h.broker.published[0]->payload, "hello");
  EXPECT_EQ(h.broker.published[0]->content_type.value_or(""), "text/plain");
  EXPECT_EQ(h.broker.published[0]->qos, 0);
  EXPECT_EQ(h.broker.published[0]->from_protocol, "stomp");
  EXPECT_EQ(h.broker.published[1]->topic, "a/b");
  EXPECT_EQ(h.broker.published[1]->payload, "x\0y"s);
}

TEST(StompSend, ConfiguredQosAndMountpointTemplate) {
  settings s;
  s.send_qos = 1;
  s.mountpoint = "site/${clientid}/";
  harness h(s);
  h.connect();
  h.feed("SEND\ndestination:t\n\n1\0"s);
  ASSERT_EQ(h.broker.published.size(), 1u);
  EXPECT_EQ(h.broker.published[0]->qos, 1);
  EXPECT_EQ(h.broker.auth_calls[0].mountpoint, "site/${clientid}/");
}

TEST(StompSend, RefusedPublishIsErrorWithReceiptId) {
  harness h;
  h.connect();
  h.broker.publish_error = errc::topic_name_invalid;
  h.feed("SEND\ndestination:a/+\nreceipt:5\n\nx\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "message"), "invalid destination");
  EXPECT_EQ(hdr(f, "receipt-id"), "5");
  EXPECT_EQ(f.body, "a/+");
  EXPECT_TRUE(h.ch->wants_close());
}

TEST(StompSend, MissingDestination) {
  harness h;
  h.connect();
  h.feed("SEND\n\nx\0"s);
  EXPECT_EQ(hdr(h.one(), "message"), "missing destination");
}

TEST(StompSend, ThrottledStopsReadingUntilUnthrottled) {
  harness h;
  h.connect();
  h.broker.throttle_next = true;
  h.feed("SEND\ndestination:a\n\n1\0SEND\ndestination:a\n\n2\0"s);
  EXPECT_EQ(h.broker.published.size(), 1u);
  EXPECT_FALSE(h.ch->wants_read());
  EXPECT_FALSE(h.pending.empty());  // the second SEND waits, unconsumed
  h.ch->on_unthrottled(h.now);
  EXPECT_TRUE(h.ch->wants_read());
  h.feed("");
  EXPECT_EQ(h.broker.published.size(), 2u);
}

TEST(StompSubscribe, AutoModeDeliversAndAcksAtOnce) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:0\ndestination:sensors/+/temp\nreceipt:s\n\n\0"s);
  EXPECT_EQ(h.one().command, "RECEIPT");
  ASSERT_EQ(h.broker.subscribes.size(), 1u);
  EXPECT_EQ(h.broker.subscribes[0][0].filter, "sensors/+/temp");
  EXPECT_EQ(h.broker.subscribes[0][0].options.qos, 1);
  h.deliver("sensors/k1/temp", "21.5", 7);
  auto m = h.one();
  EXPECT_EQ(m.command, "MESSAGE");
  EXPECT_EQ(hdr(m, "subscription"), "0");
  EXPECT_EQ(hdr(m, "destination"), "sensors/k1/temp");
  EXPECT_EQ(hdr(m, "content-length"), "4");
  EXPECT_EQ(hdr(m, "ack"), "<none>");
  EXPECT_NE(hdr(m, "message-id"), "<none>");
  EXPECT_EQ(m.body, "21.5");
  EXPECT_TRUE(h.broker.sess->inflight.empty());  // acknowledged to the broker
  EXPECT_EQ(h.ch->unacked(), 0u);
}

TEST(StompSubscribe, ContentTypeTravels) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:0\ndestination:a\n\n\0"s);
  message m;
  m.topic = "a";
  m.payload = "{}";
  m.content_type = "application/json";
  delivery d;
  d.msg = make_message(std::move(m));
  d.topic = d.msg->topic;
  h.broker.sess->enqueue(std::move(d));
  h.ch->on_deliveries_ready(h.now);
  EXPECT_EQ(hdr(h.one(), "content-type"), "application/json");
}

TEST(StompSubscribe, ClientIndividualAckAndNackRedelivers) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:s1\ndestination:q/#\nack:client-individual\n\n\0"s);
  h.deliver("q/1", "one", 1);
  h.deliver("q/2", "two", 2);
  auto f = h.frames();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(hdr(f[0], "ack"), hdr(f[0], "message-id"));
  EXPECT_EQ(h.broker.sess->inflight.size(), 2u);
  // ACK the second only: the first stays unacknowledged.
  h.feed("ACK\nid:" + hdr(f[1], "ack") + "\nreceipt:a\n\n\0"s);
  EXPECT_EQ(h.one().command, "RECEIPT");
  EXPECT_EQ(h.broker.sess->inflight, (std::set<uint16_t>{1}));
  // NACK the first: sent again, redelivered, with a new id.
  h.feed("NACK\nid:" + hdr(f[0], "ack") + "\n\n\0"s);
  auto again = h.one();
  EXPECT_EQ(again.body, "one");
  EXPECT_EQ(hdr(again, "redelivered"), "true");
  EXPECT_NE(hdr(again, "message-id"), hdr(f[0], "message-id"));
  EXPECT_EQ(h.broker.sess->inflight, (std::set<uint16_t>{1}));
  h.feed("ACK\nid:" + hdr(again, "ack") + "\n\n\0"s);
  EXPECT_TRUE(h.broker.sess->inflight.empty());
}

TEST(StompSubscribe, ClientModeAckIsCumulative) {
  harness h;
  h.connect("accept-version:1.1\n");
  h.feed("SUBSCRIBE\nid:s\ndestination:a\nack:client\n\n\0"s);
  for (uint16_t i = 1; i <= 3; ++i) h.deliver("a", std::to_string(i), i);
  auto f = h.frames();
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(hdr(f[0], "ack"), "<none>");  // 1.1 acks by message-id
  h.feed("ACK\nsubscription:s\nmessage-id:" + hdr(f[1], "message-id") + "\n\n\0"s);
  EXPECT_EQ(h.broker.sess->inflight, (std::set<uint16_t>{3}));
  EXPECT_EQ(h.ch->unacked(), 1u);
}

TEST(StompSubscribe, NackPastLimitDrops) {
  settings s;
  s.max_redeliveries = 1;
  harness h(s);
  h.connect();
  h.feed("SUBSCRIBE\nid:s\ndestination:a\nack:client-individual\n\n\0"s);
  h.deliver("a", "x", 4);
  auto m = h.one();
  h.feed("NACK\nid:" + hdr(m, "ack") + "\n\n\0"s);
  auto m2 = h.one();
  h.feed("NACK\nid:" + hdr(m2, "ack") + "\n\n\0"s);
  EXPECT_TRUE(h.frames().empty());
  EXPECT_TRUE(h.broker.sess->inflight.empty());
  EXPECT_EQ(h.broker.metrics().messages_dropped.load(), 1u);
}

TEST(StompSubscribe, UnknownAckIdIsError) {
  harness h;
  h.connect();
  h.feed("ACK\nid:99\n\n\0"s);
  EXPECT_EQ(hdr(h.one(), "message"), "unknown ACK id");
}

TEST(StompSubscribe, OverlappingSubscriptionsEachGetAMessage) {
  harness h;
  h.connect();
  h.feed(
      "SUBSCRIBE\nid:x\ndestination:a/#\n\n\0SUBSCRIBE\nid:y\ndestination:a/b\nack:client\n\n\0"s);
  h.deliver("a/b", "v", 1);
  auto f = h.frames();
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(hdr(f[0], "subscription"), "x");
  EXPECT_EQ(hdr(f[1], "subscription"), "y");
  EXPECT_EQ(h.broker.sess->inflight.size(), 1u);  // y has not ACKed yet
  h.feed("ACK\nid:" + hdr(f[1], "ack") + "\n\n\0"s);
  EXPECT_TRUE(h.broker.sess->inflight.empty());
}

TEST(StompSubscribe, SharedSubscriptionDeliveriesMatch) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:g\ndestination:$share/grp/jobs/+\n\n\0"s);
  ASSERT_EQ(h.broker.subscribes.size(), 1u);
  EXPECT_EQ(h.broker.subscribes[0][0].filter, "$share/grp/jobs/+");
  h.deliver("jobs/1", "work", 2);
  auto m = h.one();
  EXPECT_EQ(hdr(m, "subscription"), "g");
  EXPECT_EQ(hdr(m, "destination"), "jobs/1");
}

TEST(StompSubscribe, SameDestinationSharesOneMqttSubscription) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:1\ndestination:t\n\n\0SUBSCRIBE\nid:2\ndestination:t\n\n\0"s);
  EXPECT_EQ(h.broker.subscribes.size(), 1u);
  h.feed("UNSUBSCRIBE\nid:1\n\n\0"s);
  EXPECT_TRUE(h.broker.unsubscribes.empty());
  h.feed("UNSUBSCRIBE\nid:2\nreceipt:u\n\n\0"s);
  ASSERT_EQ(h.broker.unsubscribes.size(), 1u);
  EXPECT_EQ(h.broker.unsubscribes[0][0], "t");
  EXPECT_EQ(h.one().command, "RECEIPT");
}

TEST(StompSubscribe, UnsubscribeReleasesUnacked) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:1\ndestination:t\nack:client\n\n\0"s);
  h.deliver("t", "x", 3);
  h.frames();
  EXPECT_EQ(h.broker.sess->inflight.size(), 1u);
  h.feed("UNSUBSCRIBE\nid:1\n\n\0"s);
  EXPECT_TRUE(h.broker.sess->inflight.empty());
}

TEST(StompSubscribe, Errors) {
  struct tc {
    std::string frame;
    std::string message;
  };
  for (const auto& c : std::vector<tc>{
           {"SUBSCRIBE\ndestination:a\n\n\0"s, "missing id"},
           {"SUBSCRIBE\nid:1\n\n\0"s, "missing destination"},
           {"SUBSCRIBE\nid:1\ndestination:a\nack:sometimes\n\n\0"s, "invalid ack mode"},
           {"SUBSCRIBE\nid:1\ndestination:bad\n\n\0"s, "invalid destination filter"},
           {"UNSUBSCRIBE\nid:9\n\n\0"s, "unknown subscription"},
       }) {
    harness h;
    h.broker.subscribe_errors["bad"] = errc::topic_filter_invalid;
    h.connect();
    h.feed(c.frame);
    auto f = h.one();
    EXPECT_EQ(f.command, "ERROR");
    EXPECT_EQ(hdr(f, "message"), c.message) << c.frame;
    EXPECT_TRUE(h.ch->wants_close());
  }
}

TEST(StompSubscribe, Stomp10SubscriptionWithoutId) {
  harness h;
  h.connect("");
  h.feed("SUBSCRIBE\ndestination:/t\n\n\0"s);
  h.deliver("/t", "x", 1, 0);
  auto m = h.one();
  EXPECT_EQ(hdr(m, "subscription"), "/t");
  h.feed("UNSUBSCRIBE\ndestination:/t\n\n\0"s);
  EXPECT_EQ(h.broker.unsubscribes.size(), 1u);
}

TEST(StompTransaction, SendsHeldUntilCommit) {
  harness h;
  h.connect();
  h.feed("BEGIN\ntransaction:t1\nreceipt:b\n\n\0"s);
  h.feed("SEND\ndestination:a\ntransaction:t1\n\n1\0SEND\ndestination:a\ntransaction:t1\n\n2\0"s);
  EXPECT_EQ(h.one().command, "RECEIPT");
  EXPECT_TRUE(h.broker.published.empty());
  h.feed("COMMIT\ntransaction:t1\nreceipt:c\n\n\0"s);
  ASSERT_EQ(h.broker.published.size(), 2u);
  EXPECT_EQ(h.broker.published[0]->payload, "1");
  EXPECT_EQ(h.broker.published[1]->payload, "2");
  EXPECT_EQ(hdr(h.one(), "receipt-id"), "c");
}

TEST(StompTransaction, AbortDiscardsSendsAndAcks) {
  harness h;
  h.connect();
  h.feed("SUBSCRIBE\nid:s\ndestination:a\nack:client-individual\n\n\0"s);
  h.deliver("a", "x", 1);
  auto m = h.one();
  h.feed("BEGIN\ntransaction:t\n\n\0SEND\ndestination:a\ntransaction:t\n\n1\0"s);
  h.feed("ACK\nid:" + hdr(m, "ack") + "\ntransaction:t\n\n\0"s);
  EXPECT_EQ(h.broker.sess->inflight.size(), 1u);
  h.feed("ABORT\ntransaction:t\n\n\0"s);
  EXPECT_TRUE(h.broker.published.empty());
  EXPECT_EQ(h.broker.sess->inflight.size(), 1u);
  // Acked for real in a committed transaction.
  h.feed("BEGIN\ntransaction:u\n\n\0ACK\nid:"s + hdr(m, "ack") +
         "\ntransaction:u\n\n\0COMMIT\ntransaction:u\n\n\0"s);
  EXPECT_TRUE(h.broker.sess->inflight.empty());
  EXPECT_FALSE(h.ch->wants_close());
}

TEST(StompTransaction, Errors) {
  for (std::string bad :
       {"SEND\ndestination:a\ntransaction:nope\n\nx\0"s, "COMMIT\ntransaction:nope\n\n\0"s,
        "ABORT\n\n\0"s, "BEGIN\ntransaction:t\n\n\0BEGIN\ntransaction:t\n\n\0"s}) {
    harness h;
    h.connect();
    h.feed(bad);
    auto f = h.frames();
    ASSERT_FALSE(f.empty());
    EXPECT_EQ(f.back().command, "ERROR") << bad;
    EXPECT_TRUE(h.ch->wants_close());
  }
}

TEST(StompFlow, StopsPullingAboveHighWater) {
  settings s;
  s.write_high_water = 200;
  s.pull_batch = 1;
  harness h(s);
  h.connect();
  h.feed("SUBSCRIBE\nid:0\ndestination:a\n\n\0"s);
  for (uint16_t i = 1; i <= 20; ++i) {
    message m;
    m.topic = "a";
    m.payload = std::string(50, 'x');
    delivery d;
    d.msg = make_message(std::move(m));
    d.topic = d.msg->topic;
    h.broker.sess->enqueue(std::move(d));
  }
  h.ch->on_deliveries_ready(h.now);
  const auto queued = h.broker.sess->queue.size();
  EXPECT_GT(queued, 0u);  // not everything was pulled
  EXPECT_LT(h.ch->output().size(), 400u);
  EXPECT_EQ(h.frames().size(), 20u - queued);
  h.ch->pump(h.now);  // the write drained: pull more
  EXPECT_LT(h.broker.sess->queue.size(), queued);
}

}  // namespace
}  // namespace edgegw::stomp::test
