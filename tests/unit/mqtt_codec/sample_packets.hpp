// A set of valid packets of every type for each version, shared by the stream tests and
// the fuzz seed generator (make_fuzz_corpus.cpp).
#pragma once
#include <string>
#include <vector>

#include "protocols/mqtt/codec/packet.hpp"

namespace edgegw::mqtt::test {

struct sample {
  std::string name;
  packet value;
};

inline properties every_publish_property() {
  properties p;
  p.payload_format_indicator = 1;
  p.message_expiry_interval = 3600;
  p.content_type = "application/json";
  p.response_topic = "reply/to";
  p.correlation_data = std::string("\x00\x01\x02", 3);
  p.subscription_identifiers = {1, 16384};
  p.topic_alias = 7;
  p.user_properties = {{"k", "v"}, {"k", "w"}};
  return p;
}

// Valid packets of every type `ver` has; the v5 ones carry every property they may.
inline std::vector<sample> sample_packets(version ver) {
  const bool v5 = ver == version::v5;
  std::vector<sample> s;

  connect c;
  c.ver = ver;
  c.protocol_name = ver == version::v31 ? "MQIsdp" : "MQTT";
  c.keep_alive = 60;
  c.client_id = "sensor-17";
  s.push_back({"connect", c});
  c.clean_start = false;
  c.will_msg = will{"status/sensor-17", "offline", 1, true, {}};
  c.username = "user";
  c.password = std::string("s3cr\x00t", 6);
  if (v5) {
    c.props.session_expiry_interval = 86400;
    c.props.receive_maximum = 32;
    c.props.maximum_packet_size = 65536;
    c.props.topic_alias_maximum = 10;
    c.props.request_response_information = 1;
    c.props.request_problem_information = 0;
    c.props.user_properties = {{"region", "eu"}};
    c.props.authentication_method = "SCRAM-SHA-1";
    c.props.authentication_data = "client-first";
    c.will_msg->props.will_delay_interval = 30;
    c.will_msg->props.payload_format_indicator = 1;
    c.will_msg->props.message_expiry_interval = 600;
    c.will_msg->props.content_type = "text/plain";
    c.will_msg->props.response_topic = "r";
    c.will_msg->props.correlation_data = "id";
    c.will_msg->props.user_properties = {{"a", "b"}};
  }
  s.push_back({"connect_full", c});

  s.push_back({"connack", connack{false, 0, {}}});
  connack ca{true, 0, {}};
  if (v5) {
    ca.props.session_expiry_interval = 120;
    ca.props.receive_maximum = 100;
    ca.props.maximum_qos = 1;
    ca.props.retain_available = 1;
    ca.props.maximum_packet_size = 1 << 20;
    ca.props.assigned_client_identifier = "auto-1";
    ca.props.topic_alias_maximum = 16;
    ca.props.reason_string = "welcome";
    ca.props.user_properties = {{"x", "y"}};
    ca.props.wildcard_subscription_available = 1;
    ca.props.subscription_identifier_available = 1;
    ca.props.shared_subscription_available = 1;
    ca.props.server_keep_alive = 30;
    ca.props.response_information = "resp/";
    ca.props.server_reference = "other:1883";
    ca.props.authentication_method = "SCRAM-SHA-1";
    ca.props.authentication_data = "server-final";
  }
  s.push_back({"connack_full", ca});
  s.push_back({"connack_refused", connack{false, uint8_t(v5 ? 0x87 : 0x05), {}}});

  publish p;
  p.topic = "site/a/temp";
  p.payload = "21.5";
  s.push_back({"publish_qos0", p});
  p.qos = 1;
  p.packet_id = 1;
  p.retain = true;
  s.push_back({"publish_qos1_retain", p});
  p.qos = 2;
  p.dup = true;
  p.packet_id = 65535;
  p.payload.assign(300, 'p');
  if (v5) p.props = every_publish_property();
  s.push_back({"publish_qos2_dup", p});
  if (v5) {
    publish alias;
    alias.props.topic_alias = 7;
    alias.payload = "via alias";
    s.push_back({"publish_alias", alias});
  }

  for (auto t :
       {packet_type::puback, packet_type::pubrec, packet_type::pubrel, packet_type::pubcomp}) {
    const std::string n = t == packet_type::puback   ? "puback"
                          : t == packet_type::pubrec ? "pubrec"
                          : t == packet_type::pubrel ? "pubrel"
                                                     : "pubcomp";
    s.push_back({n, pub_response{t, 42, 0, {}}});
    if (v5) {
      pub_response r{
          t, 43, uint8_t(t == packet_type::pubrel || t == packet_type::pubcomp ? 0x92 : 0x10), {}};
      s.push_back({n + "_reason", r});
      r.props.reason_string = "why";
      r.props.user_properties = {{"k", "v"}};
      s.push_back({n + "_props", r});
    }
  }

  subscribe sub;
  sub.packet_id = 2;
  sub.entries = {{"site/+/temp", 1, false, false, 0}, {"site/#", 2, false, false, 0}};
  if (v5) {
    sub.entries.push_back({"$share/g/jobs", 1, false, true, 2});
    sub.entries.push_back({"cmd/x", 0, true, false, 1});
    sub.props.subscription_identifiers = {5};
    sub.props.user_properties = {{"k", "v"}};
  }
  s.push_back({"subscribe", sub});
  suback sa{2, {}, {1, 2, 0x80}};
  if (v5) {
    sa.reason_codes.push_back(0x8F);
    sa.props.reason_string = "partly";
  }
  s.push_back({"suback", sa});
  unsubscribe u{3, {}, {"site/+/temp", "site/#"}};
  if (v5) u.props.user_properties = {{"k", "v"}};
  s.push_back({"unsubscribe", u});
  unsuback ua{3, {}, {}};
  if (v5) {
    ua.reason_codes = {0x00, 0x11};
    ua.props.reason_string = "done";
  }
  s.push_back({"unsuback", ua});
  s.push_back({"pingreq", pingreq{}});
  s.push_back({"pingresp", pingresp{}});
  s.push_back({"disconnect", disconnect{}});
  if (v5) {
    s.push_back({"disconnect_will", disconnect{0x04, {}}});
    disconnect d{0x8B, {}};
    d.props.session_expiry_interval = 0;
    d.props.reason_string = "shutting down";
    d.props.server_reference = "other:1883";
    d.props.user_properties = {{"k", "v"}};
    s.push_back({"disconnect_props", d});
    s.push_back({"auth", auth{}});
    auth a{0x18, {}};
    a.props.authentication_method = "SCRAM-SHA-1";
    a.props.authentication_data = "challenge";
    a.props.reason_string = "continue";
    a.props.user_properties = {{"k", "v"}};
    s.push_back({"auth_continue", a});
  }
  return s;
}

}  // namespace edgegw::mqtt::test
