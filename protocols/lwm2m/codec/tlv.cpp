// OMA TLV structure and value encodings (LwM2M 1.0 TS 6.4.3, 1.1 TS-Core 7.4.3).
#include "tlv.hpp"

#include <bit>
#include <cstring>
#include <optional>

#include "detail/utf8.hpp"

namespace edgegw::lwm2m {

namespace {

constexpr int max_depth = 2;  // instance > multiple resource > resource instance

result<std::vector<tlv>> parse_level(std::span<const uint8_t> in, int depth,
                                     std::optional<tlv_kind> parent) {
  std::vector<tlv> out;
  std::size_t i = 0;
  while (i < in.size()) {
    const uint8_t type = in[i++];
    tlv t;
    t.kind = static_cast<tlv_kind>(type >> 6);
    const std::size_t id_len = (type & 0x20) ? 2 : 1;
    const int len_type = (type >> 3) & 3;
    if (in.size() - i < id_len) return fail("TLV truncated in identifier");
    t.id = id_len == 2 ? uint16_t(in[i] << 8 | in[i + 1]) : in[i];
    i += id_len;
    std::size_t len = type & 7;
    if (len_type) {
      if (std::size_t(in.size() - i) < std::size_t(len_type))
        return fail("TLV truncated in length");
      len = 0;
      for (int k = 0; k < len_type; ++k) len = len << 8 | in[i++];
    }
    if (in.size() - i < len) return fail("TLV value longer than the payload");
    const auto body = in.subspan(i, len);
    i += len;
    // Nesting rules: instances hold resources, multiple resources hold resource instances.
    const bool allowed =
        !parent ? true
        : *parent == tlv_kind::object_instance
            ? (t.kind == tlv_kind::resource_value || t.kind == tlv_kind::multiple_resource)
            : t.kind == tlv_kind::resource_instance;
    if (!allowed) return fail("TLV nesting not allowed by the spec");
    if (t.kind == tlv_kind::object_instance || t.kind == tlv_kind::multiple_resource) {
      if (depth >= max_depth) return fail("TLV nested too deep");
      auto children = parse_level(body, depth + 1, t.kind);
      if (!children) return children.error();
      t.children = std::move(children).value();
    } else {
      t.value.assign(body.begin(), body.end());
    }
    out.push_back(std::move(t));
  }
  return out;
}

void write_one(const tlv& t, std::vector<uint8_t>& out) {
  std::vector<uint8_t> body;
  if (t.kind == tlv_kind::object_instance || t.kind == tlv_kind::multiple_resource) {
    for (const auto& c : t.children) write_one(c, body);
  } else {
    body = t.value;
  }
  uint8_t type = uint8_t(uint8_t(t.kind) << 6);
  if (t.id > 255) type |= 0x20;
  const std::size_t len = body.size();
  int len_bytes = 0;
  if (len < 8) {
    type |= uint8_t(len);
  } else {
    len_bytes = len < 0x100 ? 1 : len < 0x10000 ? 2 : 3;
    type |= uint8_t(len_bytes << 3);
  }
  out.push_back(type);
  if (t.id > 255) out.push_back(uint8_t(t.id >> 8));
  out.push_back(uint8_t(t.id));
  for (int k = len_bytes - 1; k >= 0; --k) out.push_back(uint8_t(len >> (8 * k)));
  out.insert(out.end(), body.begin(), body.end());
}

void put_be(uint64_t v, std::size_t n, std::vector<uint8_t>& out) {
  for (std::size_t k = n; k-- > 0;) out.push_back(uint8_t(v >> (8 * k)));
}

std::vector<uint8_t> int_bytes(int64_t v) {
  std::vector<uint8_t> out;
  const std::size_t n = (v >= INT8_MIN && v <= INT8_MAX)     ? 1
                        : (v >= INT16_MIN && v <= INT16_MAX) ? 2
                        : (v >= INT32_MIN && v <= INT32_MAX) ? 4
                                                             : 8;
  put_be(static_cast<uint64_t>(v), n, out);
  return out;
}

uint64_t get_be(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

bool int_size(std::size_t n) {
  return n == 1 || n == 2 || n == 4 || n == 8;
}

int64_t signed_be(std::span<const uint8_t> b) {
  const uint64_t u = get_be(b);
  const unsigned bits = unsigned(b.size() * 8);
  if (bits == 64) return static_cast<int64_t>(u);
  const uint64_t sign = uint64_t(1) << (bits - 1);
  return static_cast<int64_t>((u ^ sign)) - static_cast<int64_t>(sign);
}

}  // namespace

result<std::vector<tlv>> tlv_parse(std::span<const uint8_t> in) {
  return parse_level(in, 0, std::nullopt);
}

void tlv_write(const std::vector<tlv>& items, std::vector<uint8_t>& out) {
  for (const auto& t : items) write_one(t, out);
}

std::vector<uint8_t> tlv_value_bytes(const value& v) {
  struct visitor {
    std::vector<uint8_t> operator()(std::monostate) const { return {}; }
    std::vector<uint8_t> operator()(const std::string& s) const { return {s.begin(), s.end()}; }
    std::vector<uint8_t> operator()(int64_t i) const { return int_bytes(i); }
    std::vector<uint8_t> operator()(uint64_t u) const {
      std::vector<uint8_t> out;
      put_be(u, u <= 0xFF ? 1 : u <= 0xFFFF ? 2 : u <= 0xFFFFFFFF ? 4 : 8, out);
      return out;
    }
    std::vector<uint8_t> operator()(double d) const {
      std::vector<uint8_t> out;
      const auto f = static_cast<float>(d);
      if (static_cast<double>(f) == d || d != d)
        put_be(std::bit_cast<uint32_t>(f), 4, out);
      else
        put_be(std::bit_cast<uint64_t>(d), 8, out);
      return out;
    }
    std::vector<uint8_t> operator()(bool b) const { return {uint8_t(b ? 1 : 0)}; }
    std::vector<uint8_t> operator()(const opaque_value& o) const { return o.bytes; }
    std::vector<uint8_t> operator()(const time_value& t) const { return int_bytes(t.seconds); }
    std::vector<uint8_t> operator()(const objlnk_value& l) const {
      return {uint8_t(l.object_id >> 8), uint8_t(l.object_id), uint8_t(l.instance_id >> 8),
              uint8_t(l.instance_id)};
    }
    std::vector<uint8_t> operator()(const corelnk_value& c) const {
      return {c.text.begin(), c.text.end()};
    }
  };
  return std::visit(visitor{}, v);
}

result<value> tlv_value(std::span<const uint8_t> b, value_type t) {
  switch (t) {
    case value_type::string:
    case value_type::corelnk: {
      std::string s(b.begin(), b.end());
      if (!detail::valid_utf8(s)) return fail("TLV string is not valid UTF-8");
      if (t == value_type::corelnk) return value{corelnk_value{std::move(s)}};
      return value{std::move(s)};
    }
    case value_type::integer:
    case value_type::time: {
      if (!int_size(b.size()))
        return fail("TLV integer of " + std::to_string(b.size()) + " bytes (1, 2, 4 or 8)");
      const int64_t i = signed_be(b);
      if (t == value_type::time) return value{time_value{i}};
      return value{i};
    }
    case value_type::unsigned_integer:
      if (!int_size(b.size()))
        return fail("TLV unsigned of " + std::to_string(b.size()) + " bytes (1, 2, 4 or 8)");
      return value{get_be(b)};
    case value_type::floating:
      if (b.size() == 4) return value{double(std::bit_cast<float>(uint32_t(get_be(b))))};
      if (b.size() == 8) return value{std::bit_cast<double>(get_be(b))};
      return fail("TLV float of " + std::to_string(b.size()) + " bytes (4 or 8)");
    case value_type::boolean:
      if (b.size() != 1 || b[0] > 1) return fail("TLV boolean must be one byte 0 or 1");
      return value{b[0] == 1};
    case value_type::opaque:
      return value{opaque_value{{b.begin(), b.end()}}};
    case value_type::objlnk:
      if (b.size() != 4) return fail("TLV objlnk of " + std::to_string(b.size()) + " bytes (4)");
      return value{objlnk_value{uint16_t(b[0] << 8 | b[1]), uint16_t(b[2] << 8 | b[3])}};
    case value_type::none:
      if (!b.empty()) return value{opaque_value{{b.begin(), b.end()}}};
      return value{};
  }
  return fail("TLV value of unknown type");
}

}  // namespace edgegw::lwm2m
