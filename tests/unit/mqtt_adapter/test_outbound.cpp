// mqtt::channel outbound flows: deliveries pulled from the session and encoded as PUBLISH
// (properties, topic aliases, Maximum Packet Size, expiry), the high-water mark, the
// client's acknowledgements, and v3 resends.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::test {
namespace {

using mqtt::version;

mqtt::pub_response resp(mqtt::packet_type t, uint16_t id, uint8_t code = 0) {
  mqtt::pub_response r;
  r.type = t;
  r.packet_id = id;
  r.reason_code = code;
  return r;
}

std::vector<mqtt::publish> publishes(const std::vector<mqtt::packet>& v) {
  std::vector<mqtt::publish> out;
  for (const auto& p : v) {
    if (auto* x = std::get_if<mqtt::publish>(&p)) out.push_back(*x);
  }
  return out;
}

TEST(mqtt_outbound, deliveries_are_published_after_connack) {
  harness h;
  h.connect(version::v311);
  auto d = harness::make_delivery("t/1", "payload", 1, 17);
  d.retain = true;
  h.b.sess->enqueue(d);
  h.b.sess->enqueue(harness::make_delivery("t/2", "p2", 0, 0));
  h.ch->on_deliveries_ready(h.now);
  auto out = publishes(h.take());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "t/1");
  EXPECT_EQ(out[0].payload, "payload");
  EXPECT_EQ(out[0].qos, 1);
  EXPECT_EQ(out[0].packet_id, 17);
  EXPECT_TRUE(out[0].retain);
  EXPECT_FALSE(out[0].dup);
  EXPECT_EQ(out[1].topic, "t/2");
  EXPECT_EQ(out[1].qos, 0);
}

TEST(mqtt_outbound, nothing_is_pulled_before_connect) {
  harness h;
  h.make();
  h.ch->on_deliveries_ready(h.now);
  EXPECT_TRUE(h.ch->output().empty());
}

TEST(mqtt_outbound, resumed_session_resends_right_after_connack) {
  harness h;
  h.b.session_present = true;
  h.make();
  h.ver = version::v311;
  // The session the broker opens already holds a resend; it appears after CONNACK.
  h.feed(harness::connect_packet(version::v311, "c1", false));
  auto d = harness::make_delivery("t", "x", 1, 5);
  d.dup = true;
  h.b.sess->enqueue(d);
  h.ch->on_deliveries_ready(h.now);
  auto v = h.take();
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(std::get<mqtt::connack>(v[0]).session_present);
  EXPECT_TRUE(std::get<mqtt::publish>(v[1]).dup);
}

TEST(mqtt_outbound, v5_properties_are_sent) {
  harness h;
  h.connect(version::v5);
  message extra;
  extra.content_type = "text/plain";
  extra.response_topic = "r";
  extra.correlation_data = "cd";
  extra.payload_format = 1;
  extra.user_properties = {{"k", "v"}};
  extra.expire_at_ms = h.sink->wall_ms + 10500;
  auto d = harness::make_delivery("t", "x", 1, 1, extra);
  d.subscription_ids = {4, 9};
  h.b.sess->enqueue(d);
  h.ch->on_deliveries_ready(h.now);
  auto p = h.take_one<mqtt::publish>();
  EXPECT_EQ(p.props.content_type, "text/plain");
  EXPECT_EQ(p.props.response_topic, "r");
  EXPECT_EQ(p.props.correlation_data, "cd");
  EXPECT_EQ(p.props.payload_format_indicator, 1);
  EXPECT_EQ(p.props.user_properties.size(), 1u);
  EXPECT_EQ(p.props.subscription_identifiers, (std::vector<uint32_t>{4, 9}));
  EXPECT_EQ(p.props.message_expiry_interval, 11u);  // remaining, rounded up
  EXPECT_FALSE(p.props.topic_alias);                // the client allowed none
}

TEST(mqtt_outbound, expired_message_is_not_sent_and_completed) {
  harness h;
  h.connect(version::v5);
  message extra;
  extra.expire_at_ms = h.sink->wall_ms - 1;
  h.b.sess->enqueue(harness::make_delivery("t", "x", 1, 3, extra));
  h.ch->on_deliveries_ready(h.now);
  EXPECT_TRUE(h.take().empty());
  ASSERT_EQ(h.b.sess->acks.size(), 1u);
  EXPECT_EQ(std::get<0>(h.b.sess->acks[0]), 3);
  EXPECT_EQ(h.b.metrics().messages_expired.load(), 1u);
}

TEST(mqtt_outbound, client_acks_reach_the_session) {
  harness h;
  h.connect(version::v5);
  h.b.sess->enqueue(harness::make_delivery("t", "1", 1, 1));
  h.b.sess->enqueue(harness::make_delivery("t", "2", 2, 2));
  h.ch->on_deliveries_ready(h.now);
  EXPECT_EQ(publishes(h.take()).size(), 2u);
  h.feed(resp(mqtt::packet_type::puback, 1));
  EXPECT_TRUE(h.take().empty());
  h.feed(resp(mqtt::packet_type::pubrec, 2));
  auto rel = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(rel.type, mqtt::packet_type::pubrel);
  EXPECT_EQ(rel.packet_id, 2);
  EXPECT_EQ(rel.reason_code, 0);
  h.feed(resp(mqtt::packet_type::pubcomp, 2));
  const auto& acks = h.b.sess->acks;
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[0], std::make_tuple(uint16_t{1}, ack_type::puback, uint8_t{0}));
  EXPECT_EQ(acks[1], std::make_tuple(uint16_t{2}, ack_type::pubrec, uint8_t{0}));
  EXPECT_EQ(acks[2], std::make_tuple(uint16_t{2}, ack_type::pubcomp, uint8_t{0}));
  EXPECT_TRUE(h.b.sess->inflight.empty());
}

TEST(mqtt_outbound, unknown_pubrec_gets_pubrel_0x92_in_v5) {
  harness h;
  h.connect(version::v5);
  h.feed(resp(mqtt::packet_type::pubrec, 77));
  auto rel = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(rel.type, mqtt::packet_type::pubrel);
  EXPECT_EQ(rel.reason_code, mqtt::reason::packet_identifier_not_found);
}

TEST(mqtt_outbound, refusing_pubrec_ends_the_flow_without_pubrel) {
  harness h;
  h.connect(version::v5);
  h.b.sess->enqueue(harness::make_delivery("t", "2", 2, 2));
  h.ch->on_deliveries_ready(h.now);
  h.take();
  h.feed(resp(mqtt::packet_type::pubrec, 2, mqtt::reason::quota_exceeded));
  EXPECT_TRUE(h.take().empty());
  EXPECT_TRUE(h.b.sess->inflight.empty());
}

TEST(mqtt_outbound, pubrel_delivery_sends_pubrel) {
  harness h;
  h.connect(version::v311);
  delivery d = harness::make_delivery("t", "x", 2, 12);
  d.pubrel = true;
  h.b.sess->enqueue(d);
  h.ch->on_deliveries_ready(h.now);
  auto rel = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(rel.type, mqtt::packet_type::pubrel);
  EXPECT_EQ(rel.packet_id, 12);
}

TEST(mqtt_outbound, high_water_mark_bounds_the_output) {
  harness h;
  h.cfg->write_high_water = 100;
  h.cfg->pull_batch = 4;
  h.connect(version::v311);
  for (uint16_t i = 1; i <= 10; ++i) {
    h.b.sess->enqueue(harness::make_delivery("t", std::string(40, 'x'), 0, 0));
  }
  h.ch->on_deliveries_ready(h.now);
  // Each PUBLISH is 45 bytes: encoding stops once the output reaches 100 bytes.
  EXPECT_EQ(h.ch->output().size(), 135u);
  std::size_t sent = publishes(h.take()).size();
  EXPECT_EQ(sent, 3u);
  while (sent < 10) {
    h.ch->pump(h.now);  // the glue calls this when a write completes
    auto n = publishes(h.take()).size();
    ASSERT_GT(n, 0u);
    sent += n;
  }
  EXPECT_EQ(sent, 10u);
  EXPECT_TRUE(h.b.sess->queue.empty());
}

TEST(mqtt_outbound, reading_pauses_when_the_client_does_not_read) {
  harness h;
  h.cfg->write_high_water = 16;
  h.connect(version::v311);
  std::string pings;
  for (int i = 0; i < 20; ++i) pings += harness::bytes_of(mqtt::pingreq{}, version::v311);
  h.feed_bytes(pings);
  EXPECT_FALSE(h.ch->wants_read());  // 40 bytes of PINGRESP waiting
  h.take();
  EXPECT_TRUE(h.ch->wants_read());
}

TEST(mqtt_outbound, topic_aliases_out_lru) {
  harness h;
  auto c = harness::connect_packet(version::v5, "c1");
  c.props.topic_alias_maximum = 2;
  h.connect(c);
  for (const char* t : {"a", "a", "b", "c", "a"}) {
    h.b.sess->enqueue(harness::make_delivery(t, "x", 0, 0));
  }
  h.ch->on_deliveries_ready(h.now);
  auto out = publishes(h.take());
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].topic, "a");
  EXPECT_EQ(out[0].props.topic_alias, 1);
  EXPECT_EQ(out[1].topic, "");  // known alias: empty topic
  EXPECT_EQ(out[1].props.topic_alias, 1);
  EXPECT_EQ(out[2].topic, "b");
  EXPECT_EQ(out[2].props.topic_alias, 2);
  EXPECT_EQ(out[3].topic, "c");  // full: the least recently used ("a") is reused
  EXPECT_EQ(out[3].props.topic_alias, 1);
  EXPECT_EQ(out[4].topic, "a");  // "a" lost its alias; "b" is now the oldest
  EXPECT_EQ(out[4].props.topic_alias, 2);
}

TEST(mqtt_outbound, outbound_aliases_capped_by_settings) {
  harness h;
  h.cfg->max_outbound_topic_alias = 0;
  auto c = harness::connect_packet(version::v5, "c1");
  c.props.topic_alias_maximum = 10;
  h.connect(c);
  h.b.sess->enqueue(harness::make_delivery("a", "x", 0, 0));
  h.ch->on_deliveries_ready(h.now);
  EXPECT_FALSE(h.take_one<mqtt::publish>().props.topic_alias);
}

TEST(mqtt_outbound, too_large_for_the_client_is_dropped_as_delivered) {  // [MQTT-3.1.2-25]
  harness h;
  auto c = harness::connect_packet(version::v5, "c1");
  c.props.maximum_packet_size = 64;
  h.connect(c);
  h.b.sess->enqueue(harness::make_delivery("t", std::string(100, 'x'), 1, 1));
  h.b.sess->enqueue(harness::make_delivery("t", std::string(100, 'x'), 2, 2));
  h.b.sess->enqueue(harness::make_delivery("t", std::string(100, 'x'), 0, 0));
  h.b.sess->enqueue(harness::make_delivery("t", "small", 1, 3));
  h.ch->on_deliveries_ready(h.now);
  auto out = publishes(h.take());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, "small");
  EXPECT_EQ(h.b.metrics().messages_dropped.load(), 3u);
  const auto& acks = h.b.sess->acks;
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0], std::make_tuple(uint16_t{1}, ack_type::puback, uint8_t{0}));
  EXPECT_EQ(std::get<1>(acks[1]), ack_type::pubrec);
  EXPECT_GE(std::get<2>(acks[1]), 0x80);  // ends the QoS 2 flow
  EXPECT_EQ(h.b.sess->inflight, (std::set<uint16_t>{3}));
}

TEST(mqtt_outbound, alias_is_skipped_when_it_would_exceed_the_size) {
  harness h;
  auto c = harness::connect_packet(version::v5, "c1");
  c.props.topic_alias_maximum = 5;
  // PUBLISH QoS 0, topic "t", 1 property byte, payload 6: 2 + 3 + 1 + 6 = 12 bytes; an
  // alias adds 3.
  c.props.maximum_packet_size = 12;
  h.connect(c);
  h.b.sess->enqueue(harness::make_delivery("t", "123456", 0, 0));
  h.ch->on_deliveries_ready(h.now);
  auto p = h.take_one<mqtt::publish>();
  EXPECT_EQ(p.topic, "t");
  EXPECT_FALSE(p.props.topic_alias);
}

TEST(mqtt_outbound, v311_resends_unacknowledged_after_retry_interval) {
  harness h;
  h.cfg->retry_interval = 5s;
  h.connect(harness::connect_packet(version::v311, "c1", true, 0));
  h.b.sess->enqueue(harness::make_delivery("t", "1", 1, 1));
  h.b.sess->enqueue(harness::make_delivery("t", "2", 2, 2));
  h.ch->on_deliveries_ready(h.now);
  EXPECT_EQ(publishes(h.take()).size(), 2u);
  ASSERT_TRUE(h.ch->next_deadline());
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 5s);
  h.tick(4s);
  EXPECT_TRUE(h.take().empty());
  h.feed(resp(mqtt::packet_type::pubrec, 2));  // QoS 2 moves on to PUBREL
  EXPECT_EQ(h.take_one<mqtt::pub_response>().type, mqtt::packet_type::pubrel);
  h.tick(1s);
  auto again = h.take_one<mqtt::publish>();  // only id 1 is due
  EXPECT_EQ(again.packet_id, 1);
  EXPECT_TRUE(again.dup);
  h.feed(resp(mqtt::packet_type::puback, 1));
  h.tick(4s);
  auto rel = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(rel.type, mqtt::packet_type::pubrel);
  EXPECT_EQ(rel.packet_id, 2);
  h.feed(resp(mqtt::packet_type::pubcomp, 2));
  EXPECT_FALSE(h.ch->next_deadline());
  h.tick(60s);
  EXPECT_TRUE(h.take().empty());
}

TEST(mqtt_outbound, v5_never_resends_while_connected) {
  harness h;
  h.cfg->retry_interval = 5s;
  h.connect(harness::connect_packet(version::v5, "c1", true, 0));
  h.b.sess->enqueue(harness::make_delivery("t", "1", 1, 1));
  h.ch->on_deliveries_ready(h.now);
  h.take();
  EXPECT_FALSE(h.ch->next_deadline());
  h.tick(60s);
  EXPECT_TRUE(h.take().empty());
}

}  // namespace
}  // namespace edgegw::test
