// mqtt::channel inbound flows: PUBLISH at QoS 0/1/2 (acks, reason codes, duplicates,
// receive maximum, topic aliases, property pass-through, throttling), SUBSCRIBE and
// UNSUBSCRIBE.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::test {
namespace {

using mqtt::version;

mqtt::publish pub(std::string topic, std::string payload, uint8_t qos = 0, uint16_t id = 0) {
  mqtt::publish p;
  p.topic = std::move(topic);
  p.payload = std::move(payload);
  p.qos = qos;
  p.packet_id = id;
  return p;
}

mqtt::pub_response resp(mqtt::packet_type t, uint16_t id, uint8_t code = 0) {
  mqtt::pub_response r;
  r.type = t;
  r.packet_id = id;
  r.reason_code = code;
  return r;
}

TEST(mqtt_inbound, qos0_is_routed_without_answer) {
  harness h;
  h.connect(version::v311);
  auto p = pub("a/b", "hello");
  p.retain = true;
  h.feed(p);
  EXPECT_TRUE(h.take().empty());
  ASSERT_EQ(h.b.published.size(), 1u);
  const message& m = *h.b.published[0];
  EXPECT_EQ(m.topic, "a/b");
  EXPECT_EQ(m.payload, "hello");
  EXPECT_EQ(m.qos, 0);
  EXPECT_TRUE(m.retain);
  EXPECT_EQ(m.from_client, "c1");
  EXPECT_EQ(m.from_protocol, "mqtt");
  EXPECT_EQ(m.expire_at_ms, 0);
}

TEST(mqtt_inbound, qos1_gets_puback) {
  harness h;
  h.connect(version::v311);
  h.feed(pub("a", "x", 1, 7));
  auto a = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(a.type, mqtt::packet_type::puback);
  EXPECT_EQ(a.packet_id, 7);
  EXPECT_EQ(h.b.published.size(), 1u);
}

TEST(mqtt_inbound, v5_puback_reason_codes) {
  {
    harness h;
    h.b.publish_matched = 0;
    h.connect(version::v5);
    h.feed(pub("a", "x", 1, 1));
    EXPECT_EQ(h.take_one<mqtt::pub_response>().reason_code, mqtt::reason::no_matching_subscribers);
  }
  const std::pair<errc, uint8_t> cases[] = {{errc::not_authorized, 0x87},
                                            {errc::quota_exceeded, 0x97},
                                            {errc::topic_name_invalid, 0x90},
                                            {errc::unspecified, 0x80}};
  for (auto [e, code] : cases) {
    harness h;
    h.b.publish_error = e;
    h.connect(version::v5);
    h.feed(pub("a", "x", 1, 1));
    EXPECT_EQ(h.take_one<mqtt::pub_response>().reason_code, code);
    EXPECT_FALSE(h.ch->wants_close());
  }
}

TEST(mqtt_inbound, v311_refused_publish_is_still_acknowledged) {
  harness h;
  h.b.publish_error = errc::not_authorized;
  h.connect(version::v311);
  h.feed(pub("a", "x", 1, 3));
  auto a = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(a.type, mqtt::packet_type::puback);
  EXPECT_EQ(a.reason_code, 0);
}

TEST(mqtt_inbound, qos2_flow_and_duplicate) {
  harness h;
  h.connect(version::v5);
  h.feed(pub("a", "x", 2, 9));
  auto rec = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(rec.type, mqtt::packet_type::pubrec);
  EXPECT_EQ(rec.packet_id, 9);
  EXPECT_EQ(h.b.sess->incoming_qos2.count(9), 1u);
  // The client resends before seeing PUBREC: acknowledged again, not routed twice.
  auto dup = pub("a", "x", 2, 9);
  dup.dup = true;
  h.feed(dup);
  EXPECT_EQ(h.take_one<mqtt::pub_response>().type, mqtt::packet_type::pubrec);
  EXPECT_EQ(h.b.published.size(), 1u);
  h.feed(resp(mqtt::packet_type::pubrel, 9));
  auto comp = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(comp.type, mqtt::packet_type::pubcomp);
  EXPECT_EQ(comp.reason_code, 0);
  EXPECT_EQ(h.b.sess->incoming_qos2.count(9), 0u);
  // After release the same id is a new message.
  h.feed(pub("a", "y", 2, 9));
  EXPECT_EQ(h.take_one<mqtt::pub_response>().type, mqtt::packet_type::pubrec);
  EXPECT_EQ(h.b.published.size(), 2u);
}

TEST(mqtt_inbound, v5_unknown_pubrel_gets_0x92) {
  harness h;
  h.connect(version::v5);
  h.feed(resp(mqtt::packet_type::pubrel, 44));
  auto comp = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(comp.type, mqtt::packet_type::pubcomp);
  EXPECT_EQ(comp.reason_code, mqtt::reason::packet_identifier_not_found);
}

TEST(mqtt_inbound, refused_qos2_ends_the_flow) {
  harness h;
  h.b.publish_error = errc::not_authorized;
  h.connect(version::v5);
  h.feed(pub("a", "x", 2, 5));
  auto rec = h.take_one<mqtt::pub_response>();
  EXPECT_EQ(rec.reason_code, mqtt::reason::not_authorized);
  EXPECT_TRUE(h.b.sess->incoming_qos2.empty());
}

TEST(mqtt_inbound, receive_maximum_exceeded_disconnects_0x93) {
  harness h;
  h.cfg->max_inflight = 2;
  h.connect(version::v5);
  h.feed(pub("a", "1", 2, 1));
  h.feed(pub("a", "2", 2, 2));
  EXPECT_EQ(h.take().size(), 2u);
  // A resend of an open id is not a new message.
  h.feed(pub("a", "2", 2, 2));
  EXPECT_EQ(h.take_one<mqtt::pub_response>().type, mqtt::packet_type::pubrec);
  EXPECT_FALSE(h.ch->wants_close());
  h.feed(pub("a", "3", 2, 3));
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::receive_maximum_exceeded);
  EXPECT_TRUE(h.ch->wants_close());
  ASSERT_EQ(h.b.closes.size(), 1u);
  EXPECT_EQ(h.b.closes[0].reason, close_reason::quota_exceeded);
  EXPECT_EQ(h.b.published.size(), 2u);
}

TEST(mqtt_inbound, pubrel_frees_receive_maximum) {
  harness h;
  h.cfg->max_inflight = 1;
  h.connect(version::v5);
  h.feed(pub("a", "1", 2, 1));
  h.feed(resp(mqtt::packet_type::pubrel, 1));
  h.feed(pub("a", "2", 2, 2));  // the slot of id 1 is free again
  h.feed(resp(mqtt::packet_type::pubrel, 2));
  h.feed(pub("a", "3", 1, 3));  // QoS 1 is acknowledged at once
  h.feed(pub("a", "4", 1, 4));
  EXPECT_EQ(h.take().size(), 6u);
  EXPECT_FALSE(h.ch->wants_close());
  // While a QoS 2 message is open (PUBREC sent, no PUBREL yet) it fills the window.
  h.feed(pub("a", "5", 2, 5));
  h.feed(pub("a", "6", 1, 6));
  auto out = h.take();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<mqtt::disconnect>(out[1]).reason_code, mqtt::reason::receive_maximum_exceeded);
}

TEST(mqtt_inbound, qos_and_retain_beyond_capabilities_disconnect) {
  {
    harness h;
    h.b.lim.max_qos = 1;
    h.connect(version::v5);
    h.feed(pub("a", "x", 2, 1));
    EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::qos_not_supported);
    EXPECT_TRUE(h.ch->wants_close());
  }
  {
    harness h;
    h.b.lim.retain_available = false;
    h.connect(version::v5);
    auto p = pub("a", "x");
    p.retain = true;
    h.feed(p);
    EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::retain_not_supported);
  }
  {
    harness h;  // v3 has no DISCONNECT from the server: just close
    h.b.lim.max_qos = 0;
    h.connect(version::v311);
    h.feed(pub("a", "x", 1, 1));
    EXPECT_TRUE(h.take().empty());
    EXPECT_TRUE(h.ch->wants_close());
    EXPECT_TRUE(h.b.published.empty());
  }
}

TEST(mqtt_inbound, topic_over_limits) {
  {
    harness h;
    h.b.lim.topics.max_length = 8;
    h.connect(version::v5);
    h.feed(pub("a/very/long/topic", "x", 1, 1));
    EXPECT_EQ(h.take_one<mqtt::pub_response>().reason_code, mqtt::reason::topic_name_invalid);
    EXPECT_FALSE(h.ch->wants_close());
    h.feed(pub("a/very/long/topic", "x", 0));
    EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::topic_name_invalid);
    EXPECT_TRUE(h.b.published.empty());
  }
  {
    harness h;
    h.b.lim.topics.max_length = 8;
    h.connect(version::v311);
    h.feed(pub("a/very/long/topic", "x", 1, 1));
    EXPECT_TRUE(h.take().empty());
    EXPECT_TRUE(h.ch->wants_close());
  }
}

TEST(mqtt_inbound, subscription_identifier_on_publish_is_a_protocol_error) {
  harness h;
  h.connect(version::v5);
  auto p = pub("a", "x");
  p.props.subscription_identifiers = {3};
  h.feed(p);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::protocol_error);
  EXPECT_TRUE(h.b.published.empty());
}

TEST(mqtt_inbound, topic_alias_is_learned_and_used) {
  harness h;
  h.cfg->max_topic_alias = 4;
  h.connect(version::v5);
  auto p = pub("sensors/t1", "20");
  p.props.topic_alias = 2;
  h.feed(p);
  auto q = pub("", "21");
  q.props.topic_alias = 2;
  h.feed(q);
  ASSERT_EQ(h.b.published.size(), 2u);
  EXPECT_EQ(h.b.published[1]->topic, "sensors/t1");
  // Remapped.
  auto r = pub("sensors/t2", "22");
  r.props.topic_alias = 2;
  h.feed(r);
  h.feed(q);
  ASSERT_EQ(h.b.published.size(), 4u);
  EXPECT_EQ(h.b.published[3]->topic, "sensors/t2");
  EXPECT_FALSE(h.ch->wants_close());
}

TEST(mqtt_inbound, topic_alias_above_maximum_disconnects_0x94) {
  harness h;
  h.cfg->max_topic_alias = 4;
  h.connect(version::v5);
  auto p = pub("a", "x");
  p.props.topic_alias = 5;
  h.feed(p);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::topic_alias_invalid);
  EXPECT_EQ(h.b.closes.at(0).reason, close_reason::protocol_error);
}

TEST(mqtt_inbound, unknown_topic_alias_disconnects_0x82) {
  harness h;
  h.connect(version::v5);
  auto p = pub("", "x");
  p.props.topic_alias = 1;
  h.feed(p);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::protocol_error);
  EXPECT_TRUE(h.b.published.empty());
}

TEST(mqtt_inbound, v5_properties_pass_through) {
  harness h;
  h.connect(version::v5);
  auto p = pub("req", "{}", 1, 1);
  p.props.payload_format_indicator = 1;
  p.props.content_type = "application/json";
  p.props.response_topic = "resp/c1";
  p.props.correlation_data = std::string("\x01\x02", 2);
  p.props.user_properties = {{"a", "1"}, {"a", "2"}};
  p.props.message_expiry_interval = 30;
  h.feed(p);
  ASSERT_EQ(h.b.published.size(), 1u);
  const message& m = *h.b.published[0];
  EXPECT_EQ(m.payload_format, 1);
  EXPECT_EQ(m.content_type, "application/json");
  EXPECT_EQ(m.response_topic, "resp/c1");
  EXPECT_EQ(m.correlation_data, std::string("\x01\x02", 2));
  ASSERT_EQ(m.user_properties.size(), 2u);
  EXPECT_EQ(m.user_properties[1].value, "2");
  EXPECT_EQ(m.expire_at_ms, h.sink->wall_ms + 30000);
}

TEST(mqtt_inbound, throttled_publish_stops_consumption_until_unthrottled) {
  harness h;
  h.cfg->keepalive_multiplier = 1.5;
  h.connect(harness::connect_packet(version::v311, "c1", true, 10));
  h.b.throttle_next = true;
  std::string first = h.bytes_of(pub("a", "1", 1, 1));
  std::string both = first + h.bytes_of(pub("a", "2", 1, 2));
  EXPECT_EQ(h.feed_bytes(both), first.size());
  EXPECT_TRUE(h.ch->throttled());
  EXPECT_FALSE(h.ch->wants_read());
  EXPECT_TRUE(h.take().empty());  // the PUBACK is held back too
  EXPECT_EQ(h.b.published.size(), 1u);
  ASSERT_TRUE(h.b.unthrottle);
  // Our own pause does not count against the client's keepalive.
  h.tick(20s);
  EXPECT_FALSE(h.ch->wants_close());
  h.b.unthrottle();
  EXPECT_EQ(h.sink->unthrottles, 1);  // the channel's hook, which the glue posts
  h.ch->on_unthrottled(h.now);
  EXPECT_EQ(h.take_one<mqtt::pub_response>().packet_id, 1);
  EXPECT_TRUE(h.ch->wants_read());
  std::string rest = both.substr(first.size());
  EXPECT_EQ(h.feed_bytes(rest), rest.size());
  EXPECT_EQ(h.take_one<mqtt::pub_response>().packet_id, 2);
  EXPECT_EQ(h.b.published.size(), 2u);
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 15s);
}

TEST(mqtt_inbound, v311_subscribe) {
  harness h;
  h.b.subscribe_errors["secret/#"] = errc::not_authorized;
  h.connect(version::v311);
  mqtt::subscribe s;
  s.packet_id = 11;
  s.entries = {{"a/+", 1}, {"secret/#", 2}, {"b", 2}};
  h.feed(s);
  auto a = h.take_one<mqtt::suback>();
  EXPECT_EQ(a.packet_id, 11);
  EXPECT_EQ(a.reason_codes, (std::vector<uint8_t>{1, 0x80, 2}));
  ASSERT_EQ(h.b.subscribes.size(), 1u);
  EXPECT_EQ(h.b.subscribes[0][0].filter, "a/+");
  EXPECT_EQ(h.b.subscribes[0][0].options.qos, 1);
  EXPECT_EQ(h.b.subscribes[0][0].options.subscription_id, 0u);
}

TEST(mqtt_inbound, v5_subscribe_options_and_codes) {
  harness h;
  h.b.subscribe_errors["x/#"] = errc::not_authorized;
  h.b.subscribe_errors["bad"] = errc::topic_filter_invalid;
  h.b.subscribe_errors["$share/g/t"] = errc::shared_subscriptions_not_supported;
  h.b.subscribe_errors["w/+"] = errc::wildcard_subscriptions_not_supported;
  h.connect(version::v5);
  mqtt::subscribe s;
  s.packet_id = 3;
  s.props.subscription_identifiers = {42};
  mqtt::subscribe_entry e{"t", 2, true, true, 2};
  s.entries = {e, {"x/#", 1}, {"bad", 0}, {"$share/g/t", 0}, {"w/+", 0}};
  h.feed(s);
  auto a = h.take_one<mqtt::suback>();
  EXPECT_EQ(a.reason_codes, (std::vector<uint8_t>{2, 0x87, 0x8F, 0x9E, 0xA2}));
  const auto& o = h.b.subscribes.at(0).at(0).options;
  EXPECT_TRUE(o.no_local);
  EXPECT_TRUE(o.retain_as_published);
  EXPECT_EQ(o.retain_handling, 2);
  EXPECT_EQ(o.subscription_id, 42u);
  EXPECT_EQ(h.b.subscribes[0][1].options.subscription_id, 42u);
}

TEST(mqtt_inbound, v5_subscription_identifier_unavailable_disconnects_0xa1) {
  harness h;
  h.b.lim.subscription_identifiers_available = false;
  h.connect(version::v5);
  mqtt::subscribe s;
  s.packet_id = 1;
  s.props.subscription_identifiers = {1};
  s.entries = {{"t", 0}};
  h.feed(s);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code,
            mqtt::reason::subscription_identifiers_not_supported);
  EXPECT_TRUE(h.b.subscribes.empty());
}

TEST(mqtt_inbound, v5_no_local_on_shared_subscription_is_a_protocol_error) {
  harness h;
  h.connect(version::v5);
  mqtt::subscribe s;
  s.packet_id = 1;
  s.entries = {{"$share/g/t", 0, true}};
  h.feed(s);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::protocol_error);
  EXPECT_TRUE(h.b.subscribes.empty());
}

TEST(mqtt_inbound, unsubscribe_codes) {
  harness h;
  h.b.unsubscribe_errors["gone"] = errc::no_subscription_existed;
  h.connect(version::v5);
  mqtt::unsubscribe u;
  u.packet_id = 4;
  u.filters = {"a", "gone"};
  h.feed(u);
  auto a = h.take_one<mqtt::unsuback>();
  EXPECT_EQ(a.packet_id, 4);
  EXPECT_EQ(a.reason_codes, (std::vector<uint8_t>{0x00, 0x11}));
  EXPECT_EQ(h.b.unsubscribes.at(0), (std::vector<std::string>{"a", "gone"}));

  harness h3;
  h3.connect(version::v311);
  h3.feed(u);
  auto a3 = h3.take_one<mqtt::unsuback>();
  EXPECT_EQ(a3.packet_id, 4);
  EXPECT_TRUE(a3.reason_codes.empty());
}

TEST(mqtt_inbound, pingreq_gets_pingresp) {
  harness h;
  h.connect(version::v311);
  h.feed(mqtt::pingreq{});
  h.take_one<mqtt::pingresp>();
}

TEST(mqtt_inbound, bytes_are_counted) {
  harness h;
  h.make();
  std::string c = h.bytes_of(harness::connect_packet(version::v311, "c1"));
  h.feed_bytes(c);
  EXPECT_EQ(h.b.metrics().bytes_received.load(), c.size());
  EXPECT_EQ(h.b.metrics().bytes_sent.load(), 4u);  // CONNACK
}

}  // namespace
}  // namespace edgegw::test
