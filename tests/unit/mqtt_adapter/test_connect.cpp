// mqtt::channel CONNECT handling: every CONNACK path of MQTT 3.1, 3.1.1 and 5.0, the
// session options handed to the broker, the v5 CONNACK properties, and the idle timeout.
#include <gtest/gtest.h>

#include "harness.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::test {
namespace {

using mqtt::version;

TEST(mqtt_connect, v311_accepted_passes_credentials_and_options) {
  harness h;
  h.cfg->listener = "tcp:test";
  h.cfg->mountpoint = "site/${clientid}/";
  h.make();
  auto c = harness::connect_packet(version::v311, "dev1");
  c.username = "u";
  c.password = "p";
  auto a = h.connect(c);
  EXPECT_FALSE(a.session_present);
  ASSERT_EQ(h.b.auth_calls.size(), 1u);
  const auto& cr = h.b.auth_calls[0];
  EXPECT_EQ(cr.protocol, "mqtt");
  EXPECT_EQ(cr.protocol_version, 4);
  EXPECT_EQ(cr.client_id, "dev1");
  EXPECT_EQ(cr.username, "u");
  EXPECT_EQ(cr.password, "p");
  EXPECT_EQ(cr.peer, "127.0.0.1:50000");
  EXPECT_EQ(cr.listener, "tcp:test");
  EXPECT_EQ(cr.mountpoint, "site/${clientid}/");
  ASSERT_EQ(h.b.open_calls.size(), 1u);
  EXPECT_TRUE(h.b.open_calls[0].clean_start);
  EXPECT_EQ(h.b.open_calls[0].expiry_interval, 0u);
  EXPECT_EQ(h.b.open_calls[0].receive_maximum, h.cfg->max_outbound_inflight);
  EXPECT_FALSE(h.b.open_calls[0].will);
  EXPECT_EQ(h.ch->client_id(), "dev1");
  EXPECT_FALSE(h.ch->wants_close());
}

TEST(mqtt_connect, v311_persistent_session_uses_configured_expiry_and_reports_present) {
  harness h;
  h.cfg->session_expiry_interval = 3600;
  h.b.session_present = true;
  auto a = h.connect(harness::connect_packet(version::v311, "dev1", false));
  EXPECT_TRUE(a.session_present);
  EXPECT_FALSE(h.b.open_calls[0].clean_start);
  EXPECT_EQ(h.b.open_calls[0].expiry_interval, 3600u);
}

TEST(mqtt_connect, v31_protocol_is_accepted) {
  harness h;
  h.connect(harness::connect_packet(version::v31, "old"));
  EXPECT_EQ(h.b.auth_calls[0].protocol_version, 3);
}

TEST(mqtt_connect, v311_empty_id_with_clean_session_is_assigned_by_the_broker) {
  harness h;
  h.connect(harness::connect_packet(version::v311, ""));
  EXPECT_EQ(h.b.auth_calls[0].client_id, "");
  EXPECT_EQ(h.ch->client_id(), "assigned-1");
}

// Expect a refusing CONNACK with `code`, a close, and no session.
void expect_refused(harness& h, uint8_t code) {
  auto a = h.take_one<mqtt::connack>();
  EXPECT_EQ(a.reason_code, code);
  EXPECT_FALSE(a.session_present);
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_FALSE(h.ch->connected());
  EXPECT_TRUE(h.b.closes.empty());
}

TEST(mqtt_connect, v311_empty_id_with_persistent_session_is_rejected) {  // [MQTT-3.1.3-8]
  harness h;
  h.make();
  h.feed(harness::connect_packet(version::v311, "", false));
  expect_refused(h, mqtt::connack_v3::identifier_rejected);
  EXPECT_TRUE(h.b.auth_calls.empty());
}

TEST(mqtt_connect, empty_id_refused_when_not_allowed) {
  harness h;
  h.cfg->allow_empty_clientid = false;
  h.make();
  h.feed(harness::connect_packet(version::v311, ""));
  expect_refused(h, mqtt::connack_v3::identifier_rejected);

  harness h5;
  h5.cfg->allow_empty_clientid = false;
  h5.ver = version::v5;
  h5.make();
  h5.feed(harness::connect_packet(version::v5, ""));
  expect_refused(h5, mqtt::reason::client_identifier_not_valid);
}

TEST(mqtt_connect, v31_client_id_over_23_bytes_is_rejected) {
  harness h;
  h.make();
  h.feed(harness::connect_packet(version::v31, std::string(24, 'x')));
  expect_refused(h, mqtt::connack_v3::identifier_rejected);
}

TEST(mqtt_connect, client_id_over_the_limit_is_rejected) {
  harness h;
  h.b.lim.max_clientid_len = 8;
  h.ver = version::v5;
  h.make();
  h.feed(harness::connect_packet(version::v5, "123456789"));
  expect_refused(h, mqtt::reason::client_identifier_not_valid);
}

TEST(mqtt_connect, v5_empty_id_is_assigned_and_returned) {
  harness h;
  auto a = h.connect(harness::connect_packet(version::v5, ""));
  EXPECT_EQ(a.props.assigned_client_identifier, "assigned-1");
  EXPECT_EQ(h.ch->client_id(), "assigned-1");
}

TEST(mqtt_connect, v5_given_id_gets_no_assigned_identifier) {
  harness h;
  auto a = h.connect(harness::connect_packet(version::v5, "given"));
  EXPECT_FALSE(a.props.assigned_client_identifier);
}

struct auth_case {
  errc error;
  uint8_t v3;
  uint8_t v5;
};

TEST(mqtt_connect, authenticate_errors_map_to_connack_codes) {
  const auth_case cases[] = {
      {errc::bad_credentials, 0x04, 0x86},
      {errc::not_authorized, 0x05, 0x87},
      {errc::banned, 0x05, 0x8A},
      {errc::client_id_invalid, 0x02, 0x85},
      {errc::server_busy, 0x03, 0x89},
      {errc::quota_exceeded, 0x03, 0x97},
      {errc::server_unavailable, 0x03, 0x88},
      {errc::unspecified, 0x03, 0x80},
  };
  for (const auto& c : cases) {
    for (version v : {version::v311, version::v5}) {
      SCOPED_TRACE(std::string(to_string(c.error)) + " v" + std::to_string(int(v)));
      harness h;
      h.b.auth_error = c.error;
      h.ver = v;
      h.make();
      h.feed(harness::connect_packet(v, "c1"));
      expect_refused(h, v == version::v5 ? c.v5 : c.v3);
      EXPECT_TRUE(h.b.open_calls.empty());
    }
  }
}

TEST(mqtt_connect, open_session_error_refuses) {
  harness h;
  h.b.open_error = errc::server_busy;
  h.ver = version::v5;
  h.make();
  h.feed(harness::connect_packet(version::v5, "c1"));
  expect_refused(h, mqtt::reason::server_busy);
}

TEST(mqtt_connect, v5_authentication_method_is_refused) {
  harness h;
  h.ver = version::v5;
  h.make();
  auto c = harness::connect_packet(version::v5, "c1");
  c.props.authentication_method = "SCRAM-SHA-1";
  h.feed(c);
  expect_refused(h, mqtt::reason::bad_authentication_method);
  EXPECT_TRUE(h.b.auth_calls.empty());
}

TEST(mqtt_connect, unsupported_protocol_level_gets_v3_connack_0x01) {  // [MQTT-3.1.2-2]
  harness h;
  h.make();
  // CONNECT, "MQTT", level 6, clean session, keepalive 60, empty client id.
  const std::string bytes("\x10\x0c\x00\x04MQTT\x06\x02\x00\x3c\x00\x00", 14);
  h.feed_bytes(bytes);
  expect_refused(h, mqtt::connack_v3::unacceptable_protocol_version);
  EXPECT_EQ(h.b.metrics().packets_malformed.load(), 1u);
}

TEST(mqtt_connect, v5_malformed_connect_is_answered_with_connack) {
  harness h;
  h.ver = version::v5;
  h.make();
  // v5 CONNECT whose reserved connect flag (bit 0) is set [MQTT-3.1.2-3].
  const std::string bytes("\x10\x0d\x00\x04MQTT\x05\x03\x00\x3c\x00\x00\x00", 15);
  h.feed_bytes(bytes);
  auto a = h.take_one<mqtt::connack>();
  EXPECT_GE(a.reason_code, 0x80);
  EXPECT_TRUE(a.reason_code == mqtt::reason::malformed_packet ||
              a.reason_code == mqtt::reason::protocol_error);
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_EQ(h.b.metrics().packets_malformed.load(), 1u);
}

TEST(mqtt_connect, v311_malformed_connect_closes_without_answer) {
  harness h;
  h.make();
  const std::string bytes("\x10\x0c\x00\x04MQTT\x04\x03\x00\x3c\x00\x00", 14);
  h.feed_bytes(bytes);
  EXPECT_TRUE(h.ch->output().empty());
  EXPECT_TRUE(h.ch->wants_close());
}

TEST(mqtt_connect, v5_connect_over_max_packet_size_gets_0x95) {
  harness h;
  h.cfg->max_packet_size = 64;
  h.ver = version::v5;
  h.make();
  auto c = harness::connect_packet(version::v5, std::string(100, 'x'));
  std::string bytes = h.bytes_of(c);
  h.feed_bytes(std::string_view(bytes).substr(0, 12));  // the header alone decides
  expect_refused(h, mqtt::reason::packet_too_large);
}

TEST(mqtt_connect, first_packet_must_be_connect) {  // [MQTT-3.1.0-1]
  harness h;
  h.make();
  h.feed(mqtt::pingreq{});
  EXPECT_TRUE(h.ch->output().empty());
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.b.auth_calls.empty());
  EXPECT_EQ(h.b.metrics().packets_malformed.load(), 1u);
}

TEST(mqtt_connect, second_connect_is_a_protocol_error) {
  harness h;
  h.connect(version::v5);
  h.feed(harness::connect_packet(version::v5, "c1"));
  auto d = h.take_one<mqtt::disconnect>();
  EXPECT_EQ(d.reason_code, mqtt::reason::protocol_error);
  ASSERT_EQ(h.b.closes.size(), 1u);
  EXPECT_EQ(h.b.closes[0].reason, close_reason::protocol_error);
  EXPECT_TRUE(h.b.closes[0].send_will);
  EXPECT_TRUE(h.ch->wants_close());
}

TEST(mqtt_connect, v5_connack_advertises_our_limits) {
  harness h;
  h.cfg->max_inflight = 10;
  h.cfg->max_packet_size = 4096;
  h.cfg->max_topic_alias = 7;
  h.b.lim.max_qos = 1;
  h.b.lim.retain_available = false;
  h.b.lim.wildcard_subscription_available = false;
  h.b.lim.subscription_identifiers_available = false;
  h.b.lim.shared_subscription_available = false;
  auto a = h.connect(version::v5);
  EXPECT_EQ(a.props.receive_maximum, 10);
  EXPECT_EQ(a.props.maximum_qos, 1);
  EXPECT_EQ(a.props.retain_available, 0);
  EXPECT_EQ(a.props.maximum_packet_size, 4096u);
  EXPECT_EQ(a.props.topic_alias_maximum, 7);
  EXPECT_EQ(a.props.wildcard_subscription_available, 0);
  EXPECT_EQ(a.props.subscription_identifier_available, 0);
  EXPECT_EQ(a.props.shared_subscription_available, 0);
  EXPECT_FALSE(a.props.server_keep_alive);
  EXPECT_FALSE(a.props.session_expiry_interval);
}

TEST(mqtt_connect, v5_connack_leaves_out_what_is_available) {
  harness h;
  h.cfg->max_topic_alias = 0;
  auto a = h.connect(version::v5);
  EXPECT_FALSE(a.props.maximum_qos);
  EXPECT_FALSE(a.props.retain_available);
  EXPECT_FALSE(a.props.topic_alias_maximum);
  EXPECT_FALSE(a.props.wildcard_subscription_available);
}

TEST(mqtt_connect, v5_keepalive_above_maximum_is_lowered) {
  harness h;
  h.cfg->max_keepalive = 30;
  auto a = h.connect(harness::connect_packet(version::v5, "c1", true, 120));
  EXPECT_EQ(a.props.server_keep_alive, 30);
  // The lowered keepalive is the one enforced: 30 * 1.5 = 45 s.
  ASSERT_TRUE(h.ch->next_deadline());
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 45s);
}

TEST(mqtt_connect, v5_server_keepalive_overrides_the_client) {
  harness h;
  h.cfg->server_keepalive = 20;
  auto a = h.connect(harness::connect_packet(version::v5, "c1", true, 0));
  EXPECT_EQ(a.props.server_keep_alive, 20);
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 30s);
}

TEST(mqtt_connect, v5_session_expiry_and_receive_maximum) {
  harness h;
  h.cfg->max_session_expiry = 600;
  h.cfg->max_outbound_inflight = 100;
  auto c = harness::connect_packet(version::v5, "c1", false);
  c.props.session_expiry_interval = 86400;
  c.props.receive_maximum = 5;
  auto a = h.connect(c);
  EXPECT_EQ(a.props.session_expiry_interval, 600u);  // capped, and said so
  EXPECT_EQ(h.b.open_calls[0].expiry_interval, 600u);
  EXPECT_FALSE(h.b.open_calls[0].clean_start);
  EXPECT_EQ(h.b.open_calls[0].receive_maximum, 5);
}

TEST(mqtt_connect, will_is_handed_to_the_session) {
  harness h;
  auto c = harness::connect_packet(version::v5, "c1");
  mqtt::will w;
  w.topic = "last/will";
  w.payload = "gone";
  w.qos = 1;
  w.retain = true;
  w.props.will_delay_interval = 30;
  w.props.content_type = "text/plain";
  w.props.user_properties = {{"k", "v"}};
  c.will_msg = w;
  h.connect(c);
  const auto& opts = h.b.open_calls[0];
  ASSERT_TRUE(opts.will);
  EXPECT_EQ(opts.will->delay_interval, 30u);
  const message& m = *opts.will->msg;
  EXPECT_EQ(m.topic, "last/will");
  EXPECT_EQ(m.payload, "gone");
  EXPECT_EQ(m.qos, 1);
  EXPECT_TRUE(m.retain);
  EXPECT_EQ(m.content_type, "text/plain");
  ASSERT_EQ(m.user_properties.size(), 1u);
  EXPECT_EQ(m.user_properties[0].key, "k");
  EXPECT_EQ(m.from_client, "c1");
}

TEST(mqtt_connect, will_checks_refuse_in_v5) {
  struct will_case {
    const char* topic;
    uint8_t qos;
    bool retain;
    uint8_t code;
  };
  const will_case cases[] = {
      {"a/+/b", 0, false, mqtt::reason::topic_name_invalid},
      {"a/b", 2, false, mqtt::reason::qos_not_supported},
      {"a/b", 0, true, mqtt::reason::retain_not_supported},
  };
  for (const auto& wc : cases) {
    SCOPED_TRACE(wc.code);
    harness h;
    h.b.lim.max_qos = 1;
    h.b.lim.retain_available = false;
    h.ver = version::v5;
    h.make();
    auto c = harness::connect_packet(version::v5, "c1");
    mqtt::will w;
    w.topic = wc.topic;
    w.qos = wc.qos;
    w.retain = wc.retain;
    c.will_msg = w;
    std::string bytes = h.bytes_of(c);
    if (bytes.empty()) continue;  // the codec itself refuses to encode it
    h.feed_bytes(bytes);
    auto out = h.take();
    ASSERT_EQ(out.size(), 1u);
    auto* a = std::get_if<mqtt::connack>(&out[0]);
    if (!a) {
      ADD_FAILURE() << "no CONNACK";
      continue;
    }
    // A wildcard will topic may already be a protocol error for the codec.
    if (wc.code == mqtt::reason::topic_name_invalid) {
      EXPECT_TRUE(a->reason_code == wc.code || a->reason_code == mqtt::reason::protocol_error ||
                  a->reason_code == mqtt::reason::malformed_packet);
    } else {
      EXPECT_EQ(a->reason_code, wc.code);
    }
    EXPECT_TRUE(h.ch->wants_close());
  }
}

TEST(mqtt_connect, idle_timeout_before_connect) {
  harness h;
  h.cfg->idle_timeout = 5s;
  h.make();
  ASSERT_TRUE(h.ch->next_deadline());
  EXPECT_EQ(*h.ch->next_deadline(), h.now + 5s);
  h.feed_bytes(std::string("\x10\x0c\x00\x04", 4));  // a CONNECT that never completes
  h.tick(4999ms);
  EXPECT_FALSE(h.ch->wants_close());
  h.tick(1ms);
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.ch->output().empty());
  EXPECT_TRUE(h.b.auth_calls.empty());
}

TEST(mqtt_connect, split_connect_is_consumed_when_whole) {
  harness h;
  h.make();
  std::string bytes = h.bytes_of(harness::connect_packet(version::v311, "split"));
  for (std::size_t i = 0; i + 1 < bytes.size(); ++i) {
    EXPECT_EQ(h.feed_bytes(std::string_view(bytes).substr(0, i + 1)), 0u) << i;
    EXPECT_FALSE(h.ch->connected());
  }
  EXPECT_EQ(h.ch->bytes_wanted(), bytes.size());
  EXPECT_EQ(h.feed_bytes(bytes), bytes.size());
  EXPECT_TRUE(h.ch->connected());
}

}  // namespace
}  // namespace edgegw::test
