// Named MQTT return and reason codes: the v3.1/3.1.1 CONNACK return codes and SUBACK
// failure, every MQTT 5 reason code (section 2.4), which packet may carry which, their
// names for logs, and the one mapping from codec errors to wire codes.
#pragma once
#include <cstdint>
#include <string_view>

#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/codec/packet.hpp"

namespace edgegw::mqtt {

// v3.1 / v3.1.1 CONNACK return codes (3.1.1 section 3.2.2.3).
namespace connack_v3 {
inline constexpr uint8_t accepted = 0x00;
inline constexpr uint8_t unacceptable_protocol_version = 0x01;
inline constexpr uint8_t identifier_rejected = 0x02;
inline constexpr uint8_t server_unavailable = 0x03;
inline constexpr uint8_t bad_user_name_or_password = 0x04;
inline constexpr uint8_t not_authorized = 0x05;
}  // namespace connack_v3

// v3.1 / v3.1.1 SUBACK return codes (granted QoS, or failure; 0x80 is 3.1.1 only).
namespace suback_v3 {
inline constexpr uint8_t granted_qos0 = 0x00;
inline constexpr uint8_t granted_qos1 = 0x01;
inline constexpr uint8_t granted_qos2 = 0x02;
inline constexpr uint8_t failure = 0x80;
}  // namespace suback_v3

// MQTT 5 reason codes (section 2.4, table 2-6). 0x00 has three names by packet.
namespace reason {
inline constexpr uint8_t success = 0x00;
inline constexpr uint8_t normal_disconnection = 0x00;
inline constexpr uint8_t granted_qos0 = 0x00;
inline constexpr uint8_t granted_qos1 = 0x01;
inline constexpr uint8_t granted_qos2 = 0x02;
inline constexpr uint8_t disconnect_with_will_message = 0x04;
inline constexpr uint8_t no_matching_subscribers = 0x10;
inline constexpr uint8_t no_subscription_existed = 0x11;
inline constexpr uint8_t continue_authentication = 0x18;
inline constexpr uint8_t re_authenticate = 0x19;
inline constexpr uint8_t unspecified_error = 0x80;
inline constexpr uint8_t malformed_packet = 0x81;
inline constexpr uint8_t protocol_error = 0x82;
inline constexpr uint8_t implementation_specific_error = 0x83;
inline constexpr uint8_t unsupported_protocol_version = 0x84;
inline constexpr uint8_t client_identifier_not_valid = 0x85;
inline constexpr uint8_t bad_user_name_or_password = 0x86;
inline constexpr uint8_t not_authorized = 0x87;
inline constexpr uint8_t server_unavailable = 0x88;
inline constexpr uint8_t server_busy = 0x89;
inline constexpr uint8_t banned = 0x8A;
inline constexpr uint8_t server_shutting_down = 0x8B;
inline constexpr uint8_t bad_authentication_method = 0x8C;
inline constexpr uint8_t keep_alive_timeout = 0x8D;
inline constexpr uint8_t session_taken_over = 0x8E;
inline constexpr uint8_t topic_filter_invalid = 0x8F;
inline constexpr uint8_t topic_name_invalid = 0x90;
inline constexpr uint8_t packet_identifier_in_use = 0x91;
inline constexpr uint8_t packet_identifier_not_found = 0x92;
inline constexpr uint8_t receive_maximum_exceeded = 0x93;
inline constexpr uint8_t topic_alias_invalid = 0x94;
inline constexpr uint8_t packet_too_large = 0x95;
inline constexpr uint8_t message_rate_too_high = 0x96;
inline constexpr uint8_t quota_exceeded = 0x97;
inline constexpr uint8_t administrative_action = 0x98;
inline constexpr uint8_t payload_format_invalid = 0x99;
inline constexpr uint8_t retain_not_supported = 0x9A;
inline constexpr uint8_t qos_not_supported = 0x9B;
inline constexpr uint8_t use_another_server = 0x9C;
inline constexpr uint8_t server_moved = 0x9D;
inline constexpr uint8_t shared_subscriptions_not_supported = 0x9E;
inline constexpr uint8_t connection_rate_exceeded = 0x9F;
inline constexpr uint8_t maximum_connect_time = 0xA0;
inline constexpr uint8_t subscription_identifiers_not_supported = 0xA1;
inline constexpr uint8_t wildcard_subscriptions_not_supported = 0xA2;
}  // namespace reason

// The spec's name of v5 reason `code` as carried by a packet of type `t` ("Success",
// "Normal disconnection" or "Granted QoS 0" for 0x00); "Unknown" for undefined codes.
std::string_view to_string(packet_type t, uint8_t code) noexcept;
// Name of a v3 CONNACK return code.
std::string_view connack_v3_to_string(uint8_t code) noexcept;
std::string_view to_string(decode_status s) noexcept;

// True if an MQTT 5 packet of type `t` may carry reason `code` (the tables of section 3).
// Packets without a reason code (CONNECT, PUBLISH, ...) allow none.
bool reason_code_allowed(packet_type t, uint8_t code) noexcept;

// The v5 reason code to close with (DISCONNECT, or CONNACK while connecting) for a decode
// failure: 0x81, 0x82, 0x95 or 0x84; 0x00 for ok / need_more.
uint8_t reason_code_for(decode_status s) noexcept;

}  // namespace edgegw::mqtt
