// mqtt::channel lifetime: keepalive expiry, every way a connection ends (with or without
// the will, exactly one broker close), closes ordered by the broker, malformed input.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::test {
namespace {

using mqtt::version;

void expect_one_close(const harness& h, close_reason r, bool will) {
  ASSERT_EQ(h.b.closes.size(), 1u);
  EXPECT_EQ(h.b.closes[0].reason, r);
  EXPECT_EQ(h.b.closes[0].send_will, will);
}

TEST(mqtt_lifecycle, keepalive_expires_at_one_and_a_half_times) {
  harness h;
  h.connect(harness::connect_packet(version::v311, "c1", true, 10));
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 15s);
  h.tick(14999ms);
  EXPECT_FALSE(h.ch->wants_close());
  h.tick(1ms);
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.take().empty());  // v3: just close
  expect_one_close(h, close_reason::keepalive_timeout, true);
}

TEST(mqtt_lifecycle, any_packet_restarts_the_keepalive_clock) {
  harness h;
  h.connect(harness::connect_packet(version::v5, "c1", true, 10));
  h.tick(10s);
  h.feed(mqtt::pingreq{});
  h.take();
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 15s);
  h.tick(14s);
  EXPECT_FALSE(h.ch->wants_close());
  h.tick(1s);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::keep_alive_timeout);
  expect_one_close(h, close_reason::keepalive_timeout, true);
}

TEST(mqtt_lifecycle, keepalive_multiplier_is_configurable) {
  harness h;
  h.cfg->keepalive_multiplier = 2.0;
  h.connect(harness::connect_packet(version::v311, "c1", true, 10));
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 20s);
}

TEST(mqtt_lifecycle, keepalive_zero_never_expires) {
  harness h;
  h.connect(harness::connect_packet(version::v311, "c1", true, 0));
  EXPECT_FALSE(h.ch->next_deadline());
  h.tick(24h);
  EXPECT_FALSE(h.ch->wants_close());
}

TEST(mqtt_lifecycle, v311_disconnect_discards_the_will) {
  harness h;
  h.connect(version::v311);
  h.feed(mqtt::disconnect{});
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.take().empty());
  expect_one_close(h, close_reason::normal, false);
  h.ch->on_transport_closed();  // the glue reports the socket's end: no second close
  EXPECT_EQ(h.b.closes.size(), 1u);
}

TEST(mqtt_lifecycle, v5_disconnect_with_will_message) {
  harness h;
  h.connect(version::v5);
  mqtt::disconnect d;
  d.reason_code = mqtt::reason::disconnect_with_will_message;
  h.feed(d);
  expect_one_close(h, close_reason::normal_with_will, true);
}

TEST(mqtt_lifecycle, v5_disconnect_cannot_revive_a_session_ending_with_the_connection) {
  harness h;
  h.connect(version::v5);  // Session Expiry Interval 0
  mqtt::disconnect d;
  d.props.session_expiry_interval = 60;
  h.feed(d);
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::protocol_error);
  expect_one_close(h, close_reason::protocol_error, true);
}

TEST(mqtt_lifecycle, v5_disconnect_may_change_a_nonzero_expiry) {
  harness h;
  auto c = harness::connect_packet(version::v5, "c1", false);
  c.props.session_expiry_interval = 60;
  h.connect(c);
  mqtt::disconnect d;
  d.props.session_expiry_interval = 0;
  h.feed(d);
  EXPECT_TRUE(h.take().empty());
  expect_one_close(h, close_reason::normal, false);
}

TEST(mqtt_lifecycle, lost_connection_sends_the_will_once) {
  harness h;
  h.connect(version::v311);
  h.ch->on_transport_closed();
  h.ch->on_transport_closed();
  EXPECT_TRUE(h.ch->wants_close());
  h.ch.reset();  // nor does the destructor close again
  expect_one_close(h, close_reason::connection_lost, true);
}

TEST(mqtt_lifecycle, destroying_an_open_channel_closes_its_session) {
  harness h;
  h.connect(version::v311);
  h.ch.reset();
  expect_one_close(h, close_reason::connection_lost, true);
}

TEST(mqtt_lifecycle, refused_connect_closes_no_session) {
  harness h;
  h.b.auth_error = errc::bad_credentials;
  h.make();
  h.feed(harness::connect_packet(version::v311, "c1"));
  h.ch->on_transport_closed();
  EXPECT_TRUE(h.b.closes.empty());
}

TEST(mqtt_lifecycle, broker_closes_map_to_v5_reasons) {
  const std::pair<close_reason, uint8_t> cases[] = {
      {close_reason::taken_over, mqtt::reason::session_taken_over},
      {close_reason::kicked, mqtt::reason::administrative_action},
      {close_reason::server_shutdown, mqtt::reason::server_shutting_down},
  };
  for (auto [r, code] : cases) {
    harness h;
    h.connect(version::v5);
    h.ch->on_session_closed(r, h.now);
    EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, code);
    EXPECT_TRUE(h.ch->wants_close());
    expect_one_close(h, r, true);
    h.ch->on_transport_closed();
    EXPECT_EQ(h.b.closes.size(), 1u);
  }
}

TEST(mqtt_lifecycle, takeover_of_v311_client_just_closes) {
  harness h;
  h.connect(version::v311);
  h.ch->on_session_closed(close_reason::taken_over, h.now);
  EXPECT_TRUE(h.take().empty());
  EXPECT_TRUE(h.ch->wants_close());
  expect_one_close(h, close_reason::taken_over, true);
}

TEST(mqtt_lifecycle, closing_channel_ignores_further_input_and_deliveries) {
  harness h;
  h.connect(version::v5);
  h.ch->on_session_closed(close_reason::kicked, h.now);
  h.take();
  std::string ping = h.bytes_of(mqtt::pingreq{});
  EXPECT_EQ(h.feed_bytes(ping), ping.size());
  h.ch->on_deliveries_ready(h.now);
  EXPECT_TRUE(h.take().empty());
  EXPECT_FALSE(h.ch->wants_read());
  EXPECT_FALSE(h.ch->next_deadline());
}

TEST(mqtt_lifecycle, v5_malformed_packet_disconnects_0x81) {
  harness h;
  h.connect(version::v5);
  // PUBLISH QoS 3 is malformed [MQTT-3.3.1-4].
  h.feed_bytes(std::string("\x36\x03\x00\x01t", 5));
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::malformed_packet);
  EXPECT_EQ(h.b.metrics().packets_malformed.load(), 1u);
  expect_one_close(h, close_reason::malformed, true);
}

TEST(mqtt_lifecycle, v311_malformed_packet_just_closes) {
  harness h;
  h.connect(version::v311);
  h.feed_bytes(std::string("\x36\x03\x00\x01t", 5));
  EXPECT_TRUE(h.take().empty());
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_EQ(h.b.metrics().packets_malformed.load(), 1u);
  expect_one_close(h, close_reason::malformed, true);
}

TEST(mqtt_lifecycle, v5_packet_too_large_disconnects_0x95) {
  harness h;
  h.cfg->max_packet_size = 100;
  h.connect(version::v5);
  mqtt::publish p;
  p.topic = "t";
  p.payload = std::string(200, 'x');
  std::string bytes = h.bytes_of(p);
  h.feed_bytes(std::string_view(bytes).substr(0, 3));  // the fixed header is enough
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::packet_too_large);
  expect_one_close(h, close_reason::protocol_error, true);
}

TEST(mqtt_lifecycle, server_bound_only_packets_are_protocol_errors) {
  harness h;
  h.connect(version::v5);
  h.feed(mqtt::pingresp{});
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::protocol_error);
  expect_one_close(h, close_reason::protocol_error, true);
}

TEST(mqtt_lifecycle, auth_packet_is_a_protocol_error) {
  harness h;
  h.connect(version::v5);
  h.feed(mqtt::auth{});
  EXPECT_EQ(h.take_one<mqtt::disconnect>().reason_code, mqtt::reason::protocol_error);
}

TEST(mqtt_lifecycle, publish_split_at_every_offset) {
  harness h;
  h.connect(version::v311);
  mqtt::publish p;
  p.topic = "a/b";
  p.payload = "0123456789";
  p.qos = 1;
  p.packet_id = 5;
  std::string bytes = h.bytes_of(p) + h.bytes_of(mqtt::pingreq{});
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    std::string pending(bytes.substr(0, cut));
    std::size_t used = h.feed_bytes(pending);
    pending.erase(0, used);
    pending += bytes.substr(cut);
    EXPECT_EQ(h.feed_bytes(pending), pending.size());
    auto out = h.take();
    ASSERT_EQ(out.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<mqtt::pub_response>(out[0]));
    EXPECT_TRUE(std::holds_alternative<mqtt::pingresp>(out[1]));
  }
  EXPECT_EQ(h.b.published.size(), bytes.size() - 1);
}

}  // namespace
}  // namespace edgegw::test
