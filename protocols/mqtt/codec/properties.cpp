// MQTT 5 property blocks: the allowed-property table of section 2.2.2.2, decoding with the
// value rules of section 3 (duplicates, 0/1 bytes, non-zero values), and encoding.
#include "protocols/mqtt/codec/detail/properties.hpp"

#include <array>
#include <initializer_list>
#include <type_traits>

#include "protocols/mqtt/codec/detail/utf8.hpp"

namespace edgegw::mqtt::detail {
namespace {

using enum prop_owner;

constexpr uint16_t bits(std::initializer_list<prop_owner> owners) {
  uint16_t m = 0;
  for (auto o : owners) m = static_cast<uint16_t>(m | 1u << static_cast<unsigned>(o));
  return m;
}

// Which owners may carry each property id (0 = unknown id). Section 2.2.2.2, table 2-4.
constexpr std::array<uint16_t, 0x2B> allowed_table = [] {
  std::array<uint16_t, 0x2B> t{};
  t[0x01] = bits({publish, will});                 // Payload Format Indicator
  t[0x02] = bits({publish, will});                 // Message Expiry Interval
  t[0x03] = bits({publish, will});                 // Content Type
  t[0x08] = bits({publish, will});                 // Response Topic
  t[0x09] = bits({publish, will});                 // Correlation Data
  t[0x0B] = bits({publish, subscribe});            // Subscription Identifier
  t[0x11] = bits({connect, connack, disconnect});  // Session Expiry Interval
  t[0x12] = bits({connack});                       // Assigned Client Identifier
  t[0x13] = bits({connack});                       // Server Keep Alive
  t[0x15] = bits({connect, connack, auth});        // Authentication Method
  t[0x16] = bits({connect, connack, auth});        // Authentication Data
  t[0x17] = bits({connect});                       // Request Problem Information
  t[0x18] = bits({will});                          // Will Delay Interval
  t[0x19] = bits({connect});                       // Request Response Information
  t[0x1A] = bits({connack});                       // Response Information
  t[0x1C] = bits({connack, disconnect});           // Server Reference
  // Reason String
  t[0x1F] = bits({connack, puback, pubrec, pubrel, pubcomp, suback, unsuback, disconnect, auth});
  t[0x21] = bits({connect, connack});  // Receive Maximum
  t[0x22] = bits({connect, connack});  // Topic Alias Maximum
  t[0x23] = bits({publish});           // Topic Alias
  t[0x24] = bits({connack});           // Maximum QoS
  t[0x25] = bits({connack});           // Retain Available
  // User Property
  t[0x26] = bits({connect, connack, publish, will, puback, pubrec, pubrel, pubcomp, subscribe,
                  suback, unsubscribe, unsuback, disconnect, auth});
  t[0x27] = bits({connect, connack});  // Maximum Packet Size
  t[0x28] = bits({connack});           // Wildcard Subscription Available
  t[0x29] = bits({connack});           // Subscription Identifier Available
  t[0x2A] = bits({connack});           // Shared Subscription Available
  return t;
}();

constexpr const char* dup_msg = "property that may appear once appears twice (protocol error)";
constexpr const char* short_msg = "property value runs past the property block";
constexpr const char* utf8_msg = "[MQTT-1.5.4-1] property string is not well-formed UTF-8";

failure read_byte(byte_reader& b, std::optional<uint8_t>& f, bool zero_or_one) {
  if (f) return fail_protocol(dup_msg);
  uint8_t v = 0;
  if (!b.u8(v)) return fail_malformed(short_msg);
  if (zero_or_one && v > 1) return fail_protocol("property byte must be 0 or 1");
  f = v;
  return {};
}

failure read_two(byte_reader& b, std::optional<uint16_t>& f, bool nonzero) {
  if (f) return fail_protocol(dup_msg);
  uint16_t v = 0;
  if (!b.u16(v)) return fail_malformed(short_msg);
  if (nonzero && v == 0) return fail_protocol("property value 0 is not allowed");
  f = v;
  return {};
}

failure read_four(byte_reader& b, std::optional<uint32_t>& f, bool nonzero) {
  if (f) return fail_protocol(dup_msg);
  uint32_t v = 0;
  if (!b.u32(v)) return fail_malformed(short_msg);
  if (nonzero && v == 0) return fail_protocol("property value 0 is not allowed");
  f = v;
  return {};
}

failure read_string(byte_reader& b, std::string& to, bool utf8) {
  std::string_view v;
  if (!b.prefixed(v)) return fail_malformed(short_msg);
  if (utf8 && !valid_utf8(v)) return fail_malformed(utf8_msg);
  to.assign(v);
  return {};
}

failure read_string(byte_reader& b, std::optional<std::string>& f, bool utf8) {
  if (f) return fail_protocol(dup_msg);
  return read_string(b, f.emplace(), utf8);
}

failure read_value(byte_reader& b, uint32_t id, prop_owner o, properties& p) {
  switch (id) {
    case 0x01:
      return read_byte(b, p.payload_format_indicator, true);
    case 0x02:
      return read_four(b, p.message_expiry_interval, false);
    case 0x03:
      return read_string(b, p.content_type, true);
    case 0x08:
      return read_string(b, p.response_topic, true);
    case 0x09:
      return read_string(b, p.correlation_data, false);
    case 0x0B: {
      // Several on PUBLISH (one per matching subscription), one on SUBSCRIBE.
      if (o != publish && !p.subscription_identifiers.empty()) return fail_protocol(dup_msg);
      uint32_t v = 0;
      if (b.varint(v) != varint_status::ok) return fail_malformed(short_msg);
      if (v == 0) return fail_protocol("Subscription Identifier 0 (protocol error, 3.3.2.3.8)");
      p.subscription_identifiers.push_back(v);
      return {};
    }
    case 0x11:
      return read_four(b, p.session_expiry_interval, false);
    case 0x12:
      return read_string(b, p.assigned_client_identifier, true);
    case 0x13:
      return read_two(b, p.server_keep_alive, false);
    case 0x15:
      return read_string(b, p.authentication_method, true);
    case 0x16:
      return read_string(b, p.authentication_data, false);
    case 0x17:
      return read_byte(b, p.request_problem_information, true);
    case 0x18:
      return read_four(b, p.will_delay_interval, false);
    case 0x19:
      return read_byte(b, p.request_response_information, true);
    case 0x1A:
      return read_string(b, p.response_information, true);
    case 0x1C:
      return read_string(b, p.server_reference, true);
    case 0x1F:
      return read_string(b, p.reason_string, true);
    case 0x21:
      return read_two(b, p.receive_maximum, true);
    case 0x22:
      return read_two(b, p.topic_alias_maximum, false);
    case 0x23:
      return read_two(b, p.topic_alias, true);
    case 0x24:
      return read_byte(b, p.maximum_qos, true);
    case 0x25:
      return read_byte(b, p.retain_available, true);
    case 0x26: {
      auto& kv = p.user_properties.emplace_back();
      if (auto f = read_string(b, kv.first, true)) return f;
      return read_string(b, kv.second, true);
    }
    case 0x27:
      return read_four(b, p.maximum_packet_size, true);
    case 0x28:
      return read_byte(b, p.wildcard_subscription_available, true);
    case 0x29:
      return read_byte(b, p.subscription_identifier_available, true);
    case 0x2A:
      return read_byte(b, p.shared_subscription_available, true);
    default:
      return fail_malformed("unknown property identifier");
  }
}

// Calls f(id, field) for every property field, in identifier order (the encoding order).
template <class F>
void for_each_field(const properties& p, F&& f) {
  f(0x01, p.payload_format_indicator);
  f(0x02, p.message_expiry_interval);
  f(0x03, p.content_type);
  f(0x08, p.response_topic);
  f(0x09, p.correlation_data);
  f(0x0B, p.subscription_identifiers);
  f(0x11, p.session_expiry_interval);
  f(0x12, p.assigned_client_identifier);
  f(0x13, p.server_keep_alive);
  f(0x15, p.authentication_method);
  f(0x16, p.authentication_data);
  f(0x17, p.request_problem_information);
  f(0x18, p.will_delay_interval);
  f(0x19, p.request_response_information);
  f(0x1A, p.response_information);
  f(0x1C, p.server_reference);
  f(0x1F, p.reason_string);
  f(0x21, p.receive_maximum);
  f(0x22, p.topic_alias_maximum);
  f(0x23, p.topic_alias);
  f(0x24, p.maximum_qos);
  f(0x25, p.retain_available);
  f(0x26, p.user_properties);
  f(0x27, p.maximum_packet_size);
  f(0x28, p.wildcard_subscription_available);
  f(0x29, p.subscription_identifier_available);
  f(0x2A, p.shared_subscription_available);
}

}  // namespace

prop_owner owner_of(packet_type ack) {
  switch (ack) {
    case packet_type::pubrec:
      return pubrec;
    case packet_type::pubrel:
      return pubrel;
    case packet_type::pubcomp:
      return pubcomp;
    default:
      return puback;
  }
}

bool property_allowed(uint32_t id, prop_owner o) {
  return id < allowed_table.size() && (allowed_table[id] >> static_cast<unsigned>(o) & 1u) != 0;
}

failure decode_properties(byte_reader& r, prop_owner o, properties& out) {
  uint32_t len = 0;
  switch (r.varint(len)) {
    case varint_status::ok:
      break;
    case varint_status::truncated:
      return fail_malformed("truncated Property Length");
    case varint_status::too_long:
      return fail_malformed("Property Length longer than 4 bytes");
  }
  byte_reader b;
  if (!r.take(len, b)) return fail_malformed("Property Length runs past the packet");
  while (!b.empty()) {
    uint32_t id = 0;
    if (b.varint(id) != varint_status::ok) return fail_malformed("truncated property identifier");
    if (id >= allowed_table.size() || allowed_table[id] == 0)
      return fail_malformed("unknown property identifier");
    if (!property_allowed(id, o)) return fail_malformed("property not allowed on this packet");
    if (auto f = read_value(b, id, o, out)) return f;
  }
  return {};
}

std::size_t property_block_size(const properties& p, prop_owner o) {
  std::size_t n = 0;
  bool ok = true;
  auto str = [&](const std::string& s) {
    ok = ok && s.size() <= 0xFFFF;
    return 2 + s.size();
  };
  for_each_field(p, [&](uint8_t id, const auto& field) {
    if (!property_allowed(id, o)) return;
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<T, std::optional<uint8_t>>) {
      if (field) n += 2;
    } else if constexpr (std::is_same_v<T, std::optional<uint16_t>>) {
      if (field) n += 3;
    } else if constexpr (std::is_same_v<T, std::optional<uint32_t>>) {
      if (field) n += 5;
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
      if (field) n += 1 + str(*field);
    } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
      // One identifier at most outside PUBLISH (3.8.2.1.2).
      ok = ok && (o == publish || field.size() <= 1);
      for (uint32_t v : field) {
        ok = ok && v != 0 && v <= max_varint;
        n += 1 + varint_size(v);
      }
    } else {
      static_assert(std::is_same_v<T, std::vector<std::pair<std::string, std::string>>>);
      for (const auto& [k, v] : field) n += 1 + str(k) + str(v);
    }
  });
  return ok && n <= max_varint ? n : bad_size;
}

void write_properties(byte_writer& w, const properties& p, prop_owner o, std::size_t block) {
  w.varint(static_cast<uint32_t>(block));
  if (block == 0) return;
  for_each_field(p, [&](uint8_t id, const auto& field) {
    if (!property_allowed(id, o)) return;
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<T, std::optional<uint8_t>>) {
      if (field) w.u8(id), w.u8(*field);
    } else if constexpr (std::is_same_v<T, std::optional<uint16_t>>) {
      if (field) w.u8(id), w.u16(*field);
    } else if constexpr (std::is_same_v<T, std::optional<uint32_t>>) {
      if (field) w.u8(id), w.u32(*field);
    } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
      if (field) w.u8(id), w.prefixed(*field);
    } else if constexpr (std::is_same_v<T, std::vector<uint32_t>>) {
      for (uint32_t v : field) w.u8(id), w.varint(v);
    } else {
      for (const auto& [k, v] : field) w.u8(id), w.prefixed(k), w.prefixed(v);
    }
  });
}

}  // namespace edgegw::mqtt::detail
