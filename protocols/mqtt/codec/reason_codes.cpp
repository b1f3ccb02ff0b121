// Reason code names and the per-packet reason code tables of MQTT 5 section 3.
#include "protocols/mqtt/codec/reason_codes.hpp"

#include <array>
#include <initializer_list>

namespace edgegw::mqtt {
namespace {

constexpr unsigned bit(packet_type t) {
  return 1u << static_cast<unsigned>(t);
}

// For each code, the packet types that may carry it.
constexpr std::array<uint32_t, 256> allowed = [] {
  std::array<uint32_t, 256> a{};
  auto add = [&a](packet_type t, std::initializer_list<uint8_t> codes) {
    for (uint8_t c : codes) a[c] |= bit(t);
  };
  using enum packet_type;
  add(connack, {0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
                0x8A, 0x8C, 0x90, 0x95, 0x97, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9F});
  add(puback, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
  add(pubrec, {0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99});
  add(pubrel, {0x00, 0x92});
  add(pubcomp, {0x00, 0x92});
  add(suback, {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2});
  add(unsuback, {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91});
  add(disconnect,
      {0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8B, 0x8D, 0x8E, 0x8F, 0x90, 0x93, 0x94,
       0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xA0, 0xA1, 0xA2});
  add(auth, {0x00, 0x18, 0x19});
  return a;
}();

std::string_view name(uint8_t code) noexcept {
  switch (code) {
    case 0x00:
      return "Success";
    case 0x01:
      return "Granted QoS 1";
    case 0x02:
      return "Granted QoS 2";
    case 0x04:
      return "Disconnect with Will Message";
    case 0x10:
      return "No matching subscribers";
    case 0x11:
      return "No subscription existed";
    case 0x18:
      return "Continue authentication";
    case 0x19:
      return "Re-authenticate";
    case 0x80:
      return "Unspecified error";
    case 0x81:
      return "Malformed Packet";
    case 0x82:
      return "Protocol Error";
    case 0x83:
      return "Implementation specific error";
    case 0x84:
      return "Unsupported Protocol Version";
    case 0x85:
      return "Client Identifier not valid";
    case 0x86:
      return "Bad User Name or Password";
    case 0x87:
      return "Not authorized";
    case 0x88:
      return "Server unavailable";
    case 0x89:
      return "Server busy";
    case 0x8A:
      return "Banned";
    case 0x8B:
      return "Server shutting down";
    case 0x8C:
      return "Bad authentication method";
    case 0x8D:
      return "Keep Alive timeout";
    case 0x8E:
      return "Session taken over";
    case 0x8F:
      return "Topic Filter invalid";
    case 0x90:
      return "Topic Name invalid";
    case 0x91:
      return "Packet Identifier in use";
    case 0x92:
      return "Packet Identifier not found";
    case 0x93:
      return "Receive Maximum exceeded";
    case 0x94:
      return "Topic Alias invalid";
    case 0x95:
      return "Packet too large";
    case 0x96:
      return "Message rate too high";
    case 0x97:
      return "Quota exceeded";
    case 0x98:
      return "Administrative action";
    case 0x99:
      return "Payload format invalid";
    case 0x9A:
      return "Retain not supported";
    case 0x9B:
      return "QoS not supported";
    case 0x9C:
      return "Use another server";
    case 0x9D:
      return "Server moved";
    case 0x9E:
      return "Shared Subscriptions not supported";
    case 0x9F:
      return "Connection rate exceeded";
    case 0xA0:
      return "Maximum connect time";
    case 0xA1:
      return "Subscription Identifiers not supported";
    case 0xA2:
      return "Wildcard Subscriptions not supported";
    default:
      return "Unknown";
  }
}

}  // namespace

std::string_view to_string(packet_type t, uint8_t code) noexcept {
  if (code == 0x00) {
    if (t == packet_type::disconnect) return "Normal disconnection";
    if (t == packet_type::suback) return "Granted QoS 0";
  }
  return name(code);
}

std::string_view connack_v3_to_string(uint8_t code) noexcept {
  switch (code) {
    case connack_v3::accepted:
      return "Connection Accepted";
    case connack_v3::unacceptable_protocol_version:
      return "unacceptable protocol version";
    case connack_v3::identifier_rejected:
      return "identifier rejected";
    case connack_v3::server_unavailable:
      return "Server unavailable";
    case connack_v3::bad_user_name_or_password:
      return "bad user name or password";
    case connack_v3::not_authorized:
      return "not authorized";
    default:
      return "Unknown";
  }
}

std::string_view to_string(decode_status s) noexcept {
  switch (s) {
    case decode_status::ok:
      return "ok";
    case decode_status::need_more:
      return "need_more";
    case decode_status::malformed:
      return "malformed";
    case decode_status::protocol_error:
      return "protocol_error";
    case decode_status::packet_too_large:
      return "packet_too_large";
    case decode_status::unsupported_version:
      return "unsupported_version";
  }
  return "unknown";
}

bool reason_code_allowed(packet_type t, uint8_t code) noexcept {
  return (allowed[code] & bit(t)) != 0;
}

uint8_t reason_code_for(decode_status s) noexcept {
  switch (s) {
    case decode_status::malformed:
      return reason::malformed_packet;
    case decode_status::protocol_error:
      return reason::protocol_error;
    case decode_status::packet_too_large:
      return reason::packet_too_large;
    case decode_status::unsupported_version:
      return reason::unsupported_protocol_version;
    case decode_status::ok:
    case decode_status::need_more:
      break;
  }
  return reason::success;
}

}  // namespace edgegw::mqtt
