// Reason code names, the per-packet tables of MQTT 5 section 3, and the decode-status map.
#include <gtest/gtest.h>

#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt {
namespace {

TEST(ReasonCodes, NamesDependOnThePacketForZero) {
  EXPECT_EQ(to_string(packet_type::puback, reason::success), "Success");
  EXPECT_EQ(to_string(packet_type::disconnect, reason::normal_disconnection),
            "Normal disconnection");
  EXPECT_EQ(to_string(packet_type::suback, reason::granted_qos0), "Granted QoS 0");
  EXPECT_EQ(to_string(packet_type::connack, reason::not_authorized), "Not authorized");
  EXPECT_EQ(to_string(packet_type::disconnect, reason::wildcard_subscriptions_not_supported),
            "Wildcard Subscriptions not supported");
  EXPECT_EQ(to_string(packet_type::puback, 0x03), "Unknown");
  EXPECT_EQ(connack_v3_to_string(connack_v3::identifier_rejected), "identifier rejected");
  EXPECT_EQ(connack_v3_to_string(6), "Unknown");
  EXPECT_EQ(to_string(decode_status::unsupported_version), "unsupported_version");
}

TEST(ReasonCodes, EveryNamedCodeHasAName) {
  for (uint8_t c :
       {reason::granted_qos1, reason::granted_qos2, reason::disconnect_with_will_message,
        reason::no_matching_subscribers, reason::no_subscription_existed,
        reason::continue_authentication, reason::re_authenticate}) {
    EXPECT_NE(to_string(packet_type::suback, c), "Unknown") << int(c);
  }
  for (unsigned c = 0x80; c <= 0xA2; ++c) {
    EXPECT_NE(to_string(packet_type::disconnect, static_cast<uint8_t>(c)), "Unknown") << c;
  }
  int defined = 0;
  for (unsigned c = 0; c < 256; ++c) {
    defined += to_string(packet_type::puback, static_cast<uint8_t>(c)) != "Unknown";
  }
  EXPECT_EQ(defined, 43);  // table 2-6 lists 43 distinct values
}

TEST(ReasonCodes, PerPacketTables) {
  using enum packet_type;
  EXPECT_TRUE(reason_code_allowed(puback, reason::no_matching_subscribers));
  EXPECT_TRUE(reason_code_allowed(pubrec, reason::payload_format_invalid));
  EXPECT_FALSE(reason_code_allowed(pubrel, reason::no_matching_subscribers));
  EXPECT_TRUE(reason_code_allowed(pubcomp, reason::packet_identifier_not_found));
  EXPECT_FALSE(reason_code_allowed(puback, reason::packet_identifier_not_found));
  EXPECT_TRUE(reason_code_allowed(connack, reason::unsupported_protocol_version));
  EXPECT_FALSE(reason_code_allowed(connack, reason::server_shutting_down));
  EXPECT_TRUE(reason_code_allowed(disconnect, reason::session_taken_over));
  EXPECT_FALSE(reason_code_allowed(disconnect, reason::bad_user_name_or_password));
  EXPECT_TRUE(reason_code_allowed(suback, reason::granted_qos2));
  EXPECT_FALSE(reason_code_allowed(suback, reason::no_subscription_existed));
  EXPECT_TRUE(reason_code_allowed(unsuback, reason::no_subscription_existed));
  EXPECT_TRUE(reason_code_allowed(auth, reason::re_authenticate));
  EXPECT_FALSE(reason_code_allowed(auth, reason::unspecified_error));
  for (unsigned c = 0; c < 256; ++c) {
    EXPECT_FALSE(reason_code_allowed(connect, static_cast<uint8_t>(c)));
    EXPECT_FALSE(reason_code_allowed(publish, static_cast<uint8_t>(c)));
  }
}

TEST(ReasonCodes, DecodeStatusToWireCode) {
  EXPECT_EQ(reason_code_for(decode_status::malformed), reason::malformed_packet);
  EXPECT_EQ(reason_code_for(decode_status::protocol_error), reason::protocol_error);
  EXPECT_EQ(reason_code_for(decode_status::packet_too_large), reason::packet_too_large);
  EXPECT_EQ(reason_code_for(decode_status::unsupported_version),
            reason::unsupported_protocol_version);
  EXPECT_EQ(reason_code_for(decode_status::ok), reason::success);
}

}  // namespace
}  // namespace edgegw::mqtt
