// MQTT decoder: the fixed header (type, flags, Remaining Length, size limit) decides
// need_more / packet_too_large before the body is looked at; then one function per packet
// type reads the body through a bounds-checked reader and applies the spec's rules. Error
// texts cite the statement broken (v5 numbering unless the rule is v3-only).
#include <algorithm>

#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/codec/detail/byte_reader.hpp"
#include "protocols/mqtt/codec/detail/failure.hpp"
#include "protocols/mqtt/codec/detail/properties.hpp"
#include "protocols/mqtt/codec/detail/utf8.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt {
namespace {

using detail::byte_reader;
using detail::decode_properties;
using detail::fail_malformed;
using detail::fail_protocol;
using detail::failure;
using detail::prop_owner;
using detail::varint_status;

constexpr const char* truncated = "packet body shorter than its fields";
constexpr const char* trailing = "bytes left after the last field of the packet";
constexpr const char* bad_utf8 = "[MQTT-1.5.4-1] string is not well-formed UTF-8 or has U+0000";
constexpr const char* zero_id = "[MQTT-2.2.1-3] Packet Identifier 0";

// [MQTT-2.1.3-1] flag bits of the first byte, checked before anything else arrives.
failure check_first_byte(uint8_t b, version ver) {
  const unsigned type = b >> 4;
  const unsigned flags = b & 0x0F;
  if (type == 0) return fail_malformed("reserved packet type 0");
  if (type == 15 && ver != version::v5) return fail_malformed("AUTH before MQTT 5");
  const auto t = static_cast<packet_type>(type);
  if (t == packet_type::publish) {
    if ((flags & 0x06) == 0x06) return fail_malformed("[MQTT-3.3.1-4] PUBLISH with QoS 3");
    if ((flags & 0x08) && (flags & 0x06) == 0)
      return fail_malformed("[MQTT-3.3.1-2] PUBLISH with DUP set and QoS 0");
    return {};
  }
  const bool qos1_flags =
      t == packet_type::pubrel || t == packet_type::subscribe || t == packet_type::unsubscribe;
  if (ver == version::v31 && t != packet_type::connect) {
    // MQTT 3.1 senders set DUP and QoS on these when retrying; accept them as mosquitto does.
    return {};
  }
  if (flags != (qos1_flags ? 0x02u : 0x00u))
    return fail_malformed("[MQTT-2.1.3-1] reserved fixed header flags have a wrong value");
  return {};
}

bool read_utf8(byte_reader& r, std::string& to, failure& f) {
  std::string_view v;
  if (!r.prefixed(v)) {
    f = fail_malformed(truncated);
    return false;
  }
  if (!detail::valid_utf8(v)) {
    f = fail_malformed(bad_utf8);
    return false;
  }
  to.assign(v);
  return true;
}

bool read_binary(byte_reader& r, std::string& to, failure& f) {
  std::string_view v;
  if (!r.prefixed(v)) {
    f = fail_malformed(truncated);
    return false;
  }
  to.assign(v);
  return true;
}

failure read_packet_id(byte_reader& r, uint16_t& id) {
  if (!r.u16(id)) return fail_malformed(truncated);
  if (id == 0) return fail_malformed(zero_id);
  return {};
}

failure check_auth_pair(const properties& p) {
  if (p.authentication_data && !p.authentication_method)
    return fail_protocol("Authentication Data without Authentication Method");
  return {};
}

failure decode_connect(byte_reader& r, connect& c) {
  std::string_view name;
  uint8_t level = 0;
  if (!r.prefixed(name) || !r.u8(level)) return fail_malformed(truncated);
  if (name == "MQTT") {
    if (level != 4 && level != 5)
      return {decode_status::unsupported_version, "[MQTT-3.1.2-2] unsupported protocol level"};
  } else if (name == "MQIsdp") {
    if (level != 3)
      return {decode_status::unsupported_version, "[MQTT-3.1.2-2] unsupported protocol level"};
  } else {
    return fail_protocol("[MQTT-3.1.2-1] protocol name is neither MQTT nor MQIsdp");
  }
  c.ver = static_cast<version>(level);
  c.protocol_name.assign(name);
  const bool v5 = c.ver == version::v5;

  uint8_t flags = 0;
  if (!r.u8(flags) || !r.u16(c.keep_alive)) return fail_malformed(truncated);
  if (flags & 0x01) return fail_malformed("[MQTT-3.1.2-3] CONNECT reserved flag is not 0");
  c.clean_start = (flags & 0x02) != 0;
  const bool will_flag = (flags & 0x04) != 0;
  const uint8_t will_qos = (flags >> 3) & 0x03;
  const bool will_retain = (flags & 0x20) != 0;
  const bool password_flag = (flags & 0x40) != 0;
  const bool username_flag = (flags & 0x80) != 0;
  if (!will_flag && will_qos != 0)
    return fail_malformed("[MQTT-3.1.2-11] Will QoS set without the Will Flag");
  if (!will_flag && will_retain)
    return fail_malformed("[MQTT-3.1.2-13] Will Retain set without the Will Flag");
  if (will_qos == 3) return fail_malformed("[MQTT-3.1.2-12] Will QoS 3");
  if (!v5 && password_flag && !username_flag)
    return fail_protocol("[MQTT-3.1.2-22] Password Flag set without the User Name Flag");

  if (v5) {
    if (auto f = decode_properties(r, prop_owner::connect, c.props)) return f;
    if (auto f = check_auth_pair(c.props)) return f;
  }
  failure f;
  if (!read_utf8(r, c.client_id, f)) return f;
  if (will_flag) {
    auto& w = c.will_msg.emplace();
    w.qos = will_qos;
    w.retain = will_retain;
    if (v5) {
      if (auto g = decode_properties(r, prop_owner::will, w.props)) return g;
    }
    if (!read_utf8(r, w.topic, f) || !read_binary(r, w.payload, f)) return f;
  }
  if (username_flag && !read_utf8(r, c.username.emplace(), f)) return f;
  if (password_flag && !read_binary(r, c.password.emplace(), f)) return f;
  if (!r.empty()) return fail_malformed(trailing);
  return {};
}

failure decode_connack(byte_reader& r, version ver, connack& c) {
  uint8_t flags = 0;
  if (!r.u8(flags) || !r.u8(c.reason_code)) return fail_malformed(truncated);
  if (flags & 0xFE) return fail_malformed("CONNACK reserved flags are not 0 (3.2.2.1)");
  c.session_present = (flags & 0x01) != 0;
  if (ver == version::v5) {
    if (!reason_code_allowed(packet_type::connack, c.reason_code))
      return fail_malformed("CONNACK reason code not defined for CONNACK");
    if (auto f = decode_properties(r, prop_owner::connack, c.props)) return f;
    if (auto f = check_auth_pair(c.props)) return f;
  } else if (c.reason_code > connack_v3::not_authorized) {
    return fail_malformed("CONNACK return code above 5 is reserved");
  }
  if (c.session_present && c.reason_code != 0)
    return fail_protocol("[MQTT-3.2.2-6] Session Present set on a refused CONNACK");
  if (!r.empty()) return fail_malformed(trailing);
  return {};
}

failure decode_publish(byte_reader& r, uint8_t flags, version ver, publish& p) {
  p.dup = (flags & 0x08) != 0;
  p.qos = (flags >> 1) & 0x03;
  p.retain = (flags & 0x01) != 0;
  failure f;
  if (!read_utf8(r, p.topic, f)) return f;
  if (p.qos > 0) {
    if (auto g = read_packet_id(r, p.packet_id)) return g;
  }
  if (ver == version::v5) {
    if (auto g = decode_properties(r, prop_owner::publish, p.props)) return g;
    if (p.topic.empty() && !p.props.topic_alias)
      return fail_protocol("empty Topic Name without a Topic Alias (protocol error, 3.3.2.1)");
  } else if (p.topic.empty()) {
    return fail_malformed("[MQTT-4.7.3-1] empty Topic Name");
  }
  p.payload.assign(r.rest());
  return {};
}

// PUBACK / PUBREC / PUBREL / PUBCOMP. v5 allows dropping the reason code (= 0) and the
// Property Length (= no properties) from the end (sections 3.4.2.1 and 3.4.2.2.1).
failure decode_pub_response(byte_reader& r, packet_type t, version ver, pub_response& a) {
  a.type = t;
  if (auto f = read_packet_id(r, a.packet_id)) return f;
  if (ver != version::v5) return r.empty() ? failure{} : fail_malformed(trailing);
  if (r.empty()) return {};
  r.u8(a.reason_code);
  if (!reason_code_allowed(t, a.reason_code))
    return fail_malformed("reason code not defined for this acknowledgement");
  if (r.empty()) return {};
  if (auto f = decode_properties(r, detail::owner_of(t), a.props)) return f;
  return r.empty() ? failure{} : fail_malformed(trailing);
}

failure decode_subscribe(byte_reader& r, version ver, subscribe& s) {
  if (auto f = read_packet_id(r, s.packet_id)) return f;
  const bool v5 = ver == version::v5;
  if (v5) {
    if (auto f = decode_properties(r, prop_owner::subscribe, s.props)) return f;
  }
  if (r.empty()) return fail_protocol("[MQTT-3.8.3-2] SUBSCRIBE without a Topic Filter");
  failure f;
  while (!r.empty()) {
    auto& e = s.entries.emplace_back();
    uint8_t opts = 0;
    if (!read_utf8(r, e.filter, f)) return f;
    if (!r.u8(opts)) return fail_malformed(truncated);
    e.qos = opts & 0x03;
    if (!v5) {
      if (opts & 0xFC || e.qos == 3)
        return fail_malformed("[MQTT-3-8.3-4] requested QoS 3 or reserved bits not 0 (v3.1.1)");
      continue;
    }
    if (e.qos == 3) return fail_protocol("Maximum QoS 3 in Subscription Options (3.8.3.1)");
    if (opts & 0xC0)
      return fail_malformed("[MQTT-3.8.3-5] reserved bits of Subscription Options are not 0");
    e.no_local = (opts & 0x04) != 0;
    e.retain_as_published = (opts & 0x08) != 0;
    e.retain_handling = (opts >> 4) & 0x03;
    if (e.retain_handling == 3) return fail_protocol("Retain Handling 3 (protocol error, 3.8.3.1)");
    if (e.no_local && e.filter.starts_with("$share/"))
      return fail_protocol("[MQTT-3.8.3-4] No Local on a Shared Subscription");
  }
  return {};
}

failure decode_suback(byte_reader& r, version ver, suback& s) {
  if (auto f = read_packet_id(r, s.packet_id)) return f;
  if (ver == version::v5) {
    if (auto f = decode_properties(r, prop_owner::suback, s.props)) return f;
  }
  if (r.empty()) return fail_protocol("SUBACK without a return code");
  auto codes = r.rest();
  s.reason_codes.assign(codes.begin(), codes.end());
  for (uint8_t c : s.reason_codes) {
    const bool ok = ver == version::v5 ? reason_code_allowed(packet_type::suback, c)
                                       : (c <= 2 || c == suback_v3::failure);
    if (!ok) return fail_malformed("[MQTT-3.9.3-2] SUBACK return code not defined");
  }
  return {};
}

failure decode_unsubscribe(byte_reader& r, version ver, unsubscribe& u) {
  if (auto f = read_packet_id(r, u.packet_id)) return f;
  if (ver == version::v5) {
    if (auto f = decode_properties(r, prop_owner::unsubscribe, u.props)) return f;
  }
  if (r.empty()) return fail_protocol("[MQTT-3.10.3-2] UNSUBSCRIBE without a Topic Filter");
  failure f;
  while (!r.empty()) {
    if (!read_utf8(r, u.filters.emplace_back(), f)) return f;
  }
  return {};
}

failure decode_unsuback(byte_reader& r, version ver, unsuback& u) {
  if (auto f = read_packet_id(r, u.packet_id)) return f;
  if (ver != version::v5) return r.empty() ? failure{} : fail_malformed(trailing);
  if (auto f = decode_properties(r, prop_owner::unsuback, u.props)) return f;
  if (r.empty()) return fail_protocol("UNSUBACK without a reason code");
  auto codes = r.rest();
  u.reason_codes.assign(codes.begin(), codes.end());
  for (uint8_t c : u.reason_codes) {
    if (!reason_code_allowed(packet_type::unsuback, c))
      return fail_malformed("UNSUBACK reason code not defined");
  }
  return {};
}

// DISCONNECT and AUTH: in v5 an empty body means reason 0, one byte means no properties.
template <class T>
failure decode_reason_packet(byte_reader& r, packet_type t, prop_owner o, version ver, T& d) {
  if (ver != version::v5) return r.empty() ? failure{} : fail_malformed(trailing);
  if (r.empty()) return {};
  r.u8(d.reason_code);
  if (!reason_code_allowed(t, d.reason_code))
    return fail_malformed("reason code not defined for this packet");
  if (r.empty()) return {};
  if (auto f = decode_properties(r, o, d.props)) return f;
  if (auto f = check_auth_pair(d.props)) return f;
  return r.empty() ? failure{} : fail_malformed(trailing);
}

// Reuses the PUBLISH already in `out` so its strings keep their capacity across packets.
publish& fresh_publish(packet& out) {
  if (auto* p = std::get_if<publish>(&out)) {
    p->topic.clear();
    p->payload.clear();
    p->packet_id = 0;
    p->props = properties{};
    return *p;
  }
  return out.emplace<publish>();
}

failure decode_body(uint8_t first, byte_reader& r, version ver, packet& out) {
  const auto t = static_cast<packet_type>(first >> 4);
  switch (t) {
    case packet_type::connect:
      return decode_connect(r, out.emplace<connect>());
    case packet_type::connack:
      return decode_connack(r, ver, out.emplace<connack>());
    case packet_type::publish:
      return decode_publish(r, first & 0x0F, ver, fresh_publish(out));
    case packet_type::puback:
    case packet_type::pubrec:
    case packet_type::pubrel:
    case packet_type::pubcomp:
      return decode_pub_response(r, t, ver, out.emplace<pub_response>());
    case packet_type::subscribe:
      return decode_subscribe(r, ver, out.emplace<subscribe>());
    case packet_type::suback:
      return decode_suback(r, ver, out.emplace<suback>());
    case packet_type::unsubscribe:
      return decode_unsubscribe(r, ver, out.emplace<unsubscribe>());
    case packet_type::unsuback:
      return decode_unsuback(r, ver, out.emplace<unsuback>());
    case packet_type::pingreq:
      out.emplace<pingreq>();
      return r.empty() ? failure{} : fail_malformed("PINGREQ with a body");
    case packet_type::pingresp:
      out.emplace<pingresp>();
      return r.empty() ? failure{} : fail_malformed("PINGRESP with a body");
    case packet_type::disconnect:
      return decode_reason_packet(r, t, prop_owner::disconnect, ver, out.emplace<disconnect>());
    case packet_type::auth:
      return decode_reason_packet(r, t, prop_owner::auth, ver, out.emplace<auth>());
  }
  return fail_malformed("reserved packet type");
}

}  // namespace

decode_result decode(std::span<const uint8_t> in, version ver, uint32_t max_packet_size,
                     packet& out) {
  decode_result res;
  if (in.empty()) {
    res.needed = 2;
    return res;
  }
  if (auto f = check_first_byte(in[0], ver)) {
    res.status = f.status;
    res.error = f.what;
    return res;
  }
  uint32_t remaining = 0;
  std::size_t len_bytes = 0;
  switch (detail::parse_varint(in.data() + 1, in.size() - 1, remaining, len_bytes)) {
    case varint_status::ok:
      break;
    case varint_status::truncated:
      res.needed = in.size() + 1;
      return res;
    case varint_status::too_long:
      res.status = decode_status::malformed;
      res.error = "Remaining Length longer than 4 bytes (1.5.5)";
      return res;
  }
  const std::size_t total = 1 + len_bytes + remaining;
  if (max_packet_size != 0 && total > max_packet_size) {
    res.status = decode_status::packet_too_large;
    res.error = "packet larger than the Maximum Packet Size";
    return res;
  }
  if (in.size() < total) {
    res.needed = total;
    return res;
  }
  byte_reader r(in.subspan(1 + len_bytes, remaining));
  if (auto f = decode_body(in[0], r, ver, out)) {
    res.status = f.status;
    res.error = f.what;
    return res;
  }
  res.status = decode_status::ok;
  res.consumed = total;
  return res;
}

uint8_t client_id_refusal(const connect& c) {
  switch (c.ver) {
    case version::v31:
      return c.client_id.empty() || c.client_id.size() > 23 ? connack_v3::identifier_rejected : 0;
    case version::v311:
      return c.client_id.empty() && !c.clean_start ? connack_v3::identifier_rejected : 0;
    case version::v5:
      break;
  }
  return 0;
}

}  // namespace edgegw::mqtt
