// MQTT encoder: each packet is sized first (strings, property blocks, Remaining Length),
// then written into one resize of the output with unchecked stores. Sizing alone serves
// encoded_size(). PUBLISH goes through encode_publish so both paths give the same bytes.
#include <cassert>

#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/codec/detail/byte_writer.hpp"
#include "protocols/mqtt/codec/detail/properties.hpp"

namespace edgegw::mqtt {
namespace {

using detail::bad_size;
using detail::byte_writer;
using detail::prop_owner;

// Accumulates a body size; any field that does not fit its wire slot spoils it.
struct sizer {
  std::size_t n = 0;
  bool ok = true;

  void add(std::size_t k) { n += k; }
  void str(std::string_view s) {
    ok = ok && s.size() <= 0xFFFF;
    n += 2 + s.size();
  }
  // Size of the block `o` carries (0 and spoiled when it cannot be encoded); not added.
  std::size_t sized_block(const properties& p, prop_owner o) {
    const std::size_t block = detail::property_block_size(p, o);
    if (block == bad_size) {
      ok = false;
      return 0;
    }
    return block;
  }
  // Property Length plus block.
  void add_block(std::size_t block) {
    n += detail::varint_size(static_cast<uint32_t>(block)) + block;
  }
  // Property Length and block; returns the block size for write_properties.
  std::size_t props(const properties& p, prop_owner o) {
    const std::size_t block = sized_block(p, o);
    add_block(block);
    return block;
  }
  void require(bool cond) { ok = ok && cond; }
};

// Fixed header plus body: the total size, and the writer that fills exactly that much.
class frame {
 public:
  frame(const sizer& s, uint8_t first) : first_(first) {
    if (s.ok && s.n <= detail::max_varint) {
      body_ = static_cast<uint32_t>(s.n);
      total_ = 1 + detail::varint_size(body_) + s.n;
    }
  }
  // bad_size when the packet cannot be encoded.
  std::size_t total() const { return total_; }

  byte_writer open(std::string& out) {
    start_ = out.size();
    out.resize(start_ + total_);
    byte_writer w(out.data() + start_);
    w.u8(first_);
    w.varint(body_);
    return w;
  }
  std::size_t close([[maybe_unused]] const byte_writer& w,
                    [[maybe_unused]] const std::string& out) const {
    assert(w.pos() == out.data() + start_ + total_);
    return total_;
  }

 private:
  uint8_t first_;
  uint32_t body_ = 0;
  std::size_t total_ = bad_size;
  std::size_t start_ = 0;
};

constexpr uint8_t first_byte(packet_type t, uint8_t flags = 0) {
  return static_cast<uint8_t>(static_cast<uint8_t>(t) << 4 | flags);
}

std::size_t encode_one(const connect& c, version, std::string* out) {
  const bool v5 = c.ver == version::v5;
  const std::string_view name = c.ver == version::v31 ? "MQIsdp" : "MQTT";
  sizer s;
  s.require(c.ver == version::v31 || c.ver == version::v311 || v5);
  s.str(name);
  s.add(1 + 1 + 2);  // level, flags, keep alive
  const std::size_t props = v5 ? s.props(c.props, prop_owner::connect) : 0;
  s.str(c.client_id);
  std::size_t will_props = 0;
  if (c.will_msg) {
    s.require(c.will_msg->qos <= 2);
    if (v5) will_props = s.props(c.will_msg->props, prop_owner::will);
    s.str(c.will_msg->topic);
    s.str(c.will_msg->payload);
  }
  if (c.username) s.str(*c.username);
  if (c.password) s.str(*c.password);
  frame f(s, first_byte(packet_type::connect));
  if (f.total() == bad_size || out == nullptr) return f.total();

  uint8_t flags = c.clean_start ? 0x02 : 0x00;
  if (c.will_msg) {
    flags |= static_cast<uint8_t>(0x04 | c.will_msg->qos << 3 | (c.will_msg->retain ? 0x20 : 0));
  }
  if (c.password) flags |= 0x40;
  if (c.username) flags |= 0x80;
  auto w = f.open(*out);
  w.prefixed(name);
  w.u8(static_cast<uint8_t>(c.ver));
  w.u8(flags);
  w.u16(c.keep_alive);
  if (v5) detail::write_properties(w, c.props, prop_owner::connect, props);
  w.prefixed(c.client_id);
  if (c.will_msg) {
    if (v5) detail::write_properties(w, c.will_msg->props, prop_owner::will, will_props);
    w.prefixed(c.will_msg->topic);
    w.prefixed(c.will_msg->payload);
  }
  if (c.username) w.prefixed(*c.username);
  if (c.password) w.prefixed(*c.password);
  return f.close(w, *out);
}

std::size_t encode_one(const connack& c, version ver, std::string* out) {
  sizer s;
  s.add(2);
  const bool v5 = ver == version::v5;
  const std::size_t props = v5 ? s.props(c.props, prop_owner::connack) : 0;
  frame f(s, first_byte(packet_type::connack));
  if (f.total() == bad_size || out == nullptr) return f.total();
  auto w = f.open(*out);
  w.u8(c.session_present ? 1 : 0);
  w.u8(c.reason_code);
  if (v5) detail::write_properties(w, c.props, prop_owner::connack, props);
  return f.close(w, *out);
}

std::size_t encode_one(const publish& p, version ver, std::string* out) {
  publish_view v{p.dup, p.qos, p.retain, p.topic, p.packet_id, &p.props, p.payload};
  if (out == nullptr) {
    const std::size_t n = encoded_publish_size(v, ver);
    return n == 0 ? bad_size : n;
  }
  const std::size_t n = encode_publish(v, ver, *out);
  return n == 0 ? bad_size : n;
}

std::size_t encode_one(const pub_response& a, version ver, std::string* out) {
  sizer s;
  s.require(a.type == packet_type::puback || a.type == packet_type::pubrec ||
            a.type == packet_type::pubrel || a.type == packet_type::pubcomp);
  s.add(2);
  const auto owner = detail::owner_of(a.type);
  const bool v5 = ver == version::v5;
  std::size_t props = 0;
  bool with_reason = false;
  bool with_props = false;
  if (v5) {
    // Short forms: no properties -> no Property Length; also reason 0 -> no reason code.
    props = s.sized_block(a.props, owner);
    with_props = props != 0;
    with_reason = with_props || a.reason_code != 0;
    if (with_reason) s.add(1);
    if (with_props) s.add_block(props);
  }
  const uint8_t flags = a.type == packet_type::pubrel ? 0x02 : 0x00;
  frame f(s, first_byte(a.type, flags));
  if (f.total() == bad_size || out == nullptr) return f.total();
  auto w = f.open(*out);
  w.u16(a.packet_id);
  if (with_reason) w.u8(a.reason_code);
  if (with_props) detail::write_properties(w, a.props, owner, props);
  return f.close(w, *out);
}

std::size_t encode_one(const subscribe& sub, version ver, std::string* out) {
  sizer s;
  s.add(2);
  const bool v5 = ver == version::v5;
  const std::size_t props = v5 ? s.props(sub.props, prop_owner::subscribe) : 0;
  for (const auto& e : sub.entries) {
    s.str(e.filter);
    s.add(1);
    s.require(e.qos <= 2 && e.retain_handling <= 2);
  }
  frame f(s, first_byte(packet_type::subscribe, 0x02));
  if (f.total() == bad_size || out == nullptr) return f.total();
  auto w = f.open(*out);
  w.u16(sub.packet_id);
  if (v5) detail::write_properties(w, sub.props, prop_owner::subscribe, props);
  for (const auto& e : sub.entries) {
    w.prefixed(e.filter);
    uint8_t opts = e.qos;
    if (v5) {
      opts |= static_cast<uint8_t>((e.no_local ? 0x04 : 0) | (e.retain_as_published ? 0x08 : 0) |
                                   e.retain_handling << 4);
    }
    w.u8(opts);
  }
  return f.close(w, *out);
}

// SUBACK and UNSUBACK: packet id, v5 properties, one code per filter (none for v3 UNSUBACK).
template <class T>
std::size_t encode_ack_list(const T& a, packet_type t, prop_owner o, bool codes, version ver,
                            std::string* out) {
  sizer s;
  s.add(2);
  const bool v5 = ver == version::v5;
  const std::size_t props = v5 ? s.props(a.props, o) : 0;
  if (codes) s.add(a.reason_codes.size());
  frame f(s, first_byte(t));
  if (f.total() == bad_size || out == nullptr) return f.total();
  auto w = f.open(*out);
  w.u16(a.packet_id);
  if (v5) detail::write_properties(w, a.props, o, props);
  if (codes) {
    w.raw({reinterpret_cast<const char*>(a.reason_codes.data()), a.reason_codes.size()});
  }
  return f.close(w, *out);
}

std::size_t encode_one(const suback& a, version ver, std::string* out) {
  return encode_ack_list(a, packet_type::suback, prop_owner::suback, true, ver, out);
}

std::size_t encode_one(const unsuback& a, version ver, std::string* out) {
  return encode_ack_list(a, packet_type::unsuback, prop_owner::unsuback, ver == version::v5, ver,
                         out);
}

std::size_t encode_one(const unsubscribe& u, version ver, std::string* out) {
  sizer s;
  s.add(2);
  const bool v5 = ver == version::v5;
  const std::size_t props = v5 ? s.props(u.props, prop_owner::unsubscribe) : 0;
  for (const auto& filter : u.filters) s.str(filter);
  frame f(s, first_byte(packet_type::unsubscribe, 0x02));
  if (f.total() == bad_size || out == nullptr) return f.total();
  auto w = f.open(*out);
  w.u16(u.packet_id);
  if (v5) detail::write_properties(w, u.props, prop_owner::unsubscribe, props);
  for (const auto& filter : u.filters) w.prefixed(filter);
  return f.close(w, *out);
}

std::size_t encode_empty(packet_type t, std::string* out) {
  if (out != nullptr) {
    out->push_back(static_cast<char>(first_byte(t)));
    out->push_back('\0');
  }
  return 2;
}

std::size_t encode_one(const pingreq&, version, std::string* out) {
  return encode_empty(packet_type::pingreq, out);
}

std::size_t encode_one(const pingresp&, version, std::string* out) {
  return encode_empty(packet_type::pingresp, out);
}

// DISCONNECT and AUTH: v5 drops trailing defaults (no properties, then reason 0).
template <class T>
std::size_t encode_reason_packet(const T& d, packet_type t, prop_owner o, std::string* out) {
  sizer s;
  const std::size_t props = s.sized_block(d.props, o);
  const bool with_props = props != 0;
  const bool with_reason = with_props || d.reason_code != 0;
  if (with_reason) s.add(1);
  if (with_props) s.add_block(props);
  frame f(s, first_byte(t));
  if (f.total() == bad_size || out == nullptr) return f.total();
  auto w = f.open(*out);
  if (with_reason) w.u8(d.reason_code);
  if (with_props) detail::write_properties(w, d.props, o, props);
  return f.close(w, *out);
}

std::size_t encode_one(const disconnect& d, version ver, std::string* out) {
  if (ver != version::v5) return encode_empty(packet_type::disconnect, out);
  return encode_reason_packet(d, packet_type::disconnect, prop_owner::disconnect, out);
}

std::size_t encode_one(const auth& a, version ver, std::string* out) {
  if (ver != version::v5) return bad_size;
  return encode_reason_packet(a, packet_type::auth, prop_owner::auth, out);
}

std::size_t encode_any(const packet& p, version ver, std::string* out) {
  const std::size_t n = std::visit([&](const auto& x) { return encode_one(x, ver, out); }, p);
  return n == bad_size ? 0 : n;
}

struct publish_plan {
  std::size_t props = 0;
  frame f;
};

publish_plan plan_publish(const publish_view& p, version ver) {
  sizer s;
  s.require(p.qos <= 2);
  s.str(p.topic);
  if (p.qos > 0) s.add(2);
  std::size_t props = 0;
  if (ver == version::v5) {
    props = p.props != nullptr ? s.props(*p.props, prop_owner::publish) : 0;
    if (p.props == nullptr) s.add(1);  // Property Length 0
  }
  s.add(p.payload.size());
  const uint8_t flags =
      static_cast<uint8_t>((p.dup ? 0x08 : 0) | (p.qos & 0x03) << 1 | (p.retain ? 0x01 : 0));
  return {props, frame(s, first_byte(packet_type::publish, flags))};
}

}  // namespace

std::size_t encode(const packet& p, version ver, std::string& out) {
  return encode_any(p, ver, &out);
}

std::size_t encoded_size(const packet& p, version ver) {
  return encode_any(p, ver, nullptr);
}

std::size_t encode_publish(const publish_view& p, version ver, std::string& out) {
  auto plan = plan_publish(p, ver);
  if (plan.f.total() == bad_size) return 0;
  auto w = plan.f.open(out);
  w.prefixed(p.topic);
  if (p.qos > 0) w.u16(p.packet_id);
  if (ver == version::v5) {
    if (p.props != nullptr) {
      detail::write_properties(w, *p.props, prop_owner::publish, plan.props);
    } else {
      w.u8(0);
    }
  }
  w.raw(p.payload);
  return plan.f.close(w, out);
}

std::size_t encoded_publish_size(const publish_view& p, version ver) {
  const std::size_t n = plan_publish(p, ver).f.total();
  return n == bad_size ? 0 : n;
}

}  // namespace edgegw::mqtt
