// Value type names, the EMQX JSON form of values, and base64/hex for opaque data.
#include "value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "detail/text_number.hpp"
#include "detail/utf8.hpp"

namespace edgegw::lwm2m {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

constexpr std::string_view b64_chars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_index(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // also the URL-safe alphabet
  if (c == '/' || c == '_') return 63;
  return -1;
}

int hex_index(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view to_string(value_type t) noexcept {
  switch (t) {
    case value_type::string:
      return "String";
    case value_type::integer:
      return "Integer";
    case value_type::unsigned_integer:
      return "Unsigned Integer";
    case value_type::floating:
      return "Float";
    case value_type::boolean:
      return "Boolean";
    case value_type::opaque:
      return "Opaque";
    case value_type::time:
      return "Time";
    case value_type::objlnk:
      return "Objlnk";
    case value_type::corelnk:
      return "Corelnk";
    case value_type::none:
      return "";
  }
  return "";
}

result<value_type> parse_value_type(std::string_view name) {
  static constexpr value_type all[] = {
      value_type::string,   value_type::integer, value_type::unsigned_integer,
      value_type::floating, value_type::boolean, value_type::opaque,
      value_type::time,     value_type::objlnk,  value_type::corelnk};
  for (auto t : all)
    if (iequals(name, to_string(t))) return t;
  if (iequals(name, "unsigned") || iequals(name, "unsignedinteger"))
    return value_type::unsigned_integer;
  if (name.empty() || iequals(name, "none")) return value_type::none;
  return fail("unknown type " + detail::quote(name));
}

value_type type_of(const value& v) noexcept {
  switch (v.index()) {
    case 1:
      return value_type::string;
    case 2:
      return value_type::integer;
    case 3:
      return value_type::unsigned_integer;
    case 4:
      return value_type::floating;
    case 5:
      return value_type::boolean;
    case 6:
      return value_type::opaque;
    case 7:
      return value_type::time;
    case 8:
      return value_type::objlnk;
    case 9:
      return value_type::corelnk;
    default:
      return value_type::none;
  }
}

nlohmann::json to_json(const value& v, opaque_encoding enc) {
  struct visitor {
    opaque_encoding enc;
    nlohmann::json operator()(std::monostate) const { return nullptr; }
    nlohmann::json operator()(const std::string& s) const { return s; }
    nlohmann::json operator()(int64_t i) const { return i; }
    nlohmann::json operator()(uint64_t u) const { return u; }
    nlohmann::json operator()(double d) const {
      if (!std::isfinite(d)) return nullptr;  // JSON has no NaN/Inf
      return d;
    }
    nlohmann::json operator()(bool b) const { return b; }
    nlohmann::json operator()(const opaque_value& o) const {
      return enc == opaque_encoding::hex ? hex_encode(o.bytes) : base64_encode(o.bytes);
    }
    nlohmann::json operator()(const time_value& t) const { return t.seconds; }
    nlohmann::json operator()(const objlnk_value& l) const {
      return std::to_string(l.object_id) + ":" + std::to_string(l.instance_id);
    }
    nlohmann::json operator()(const corelnk_value& c) const { return c.text; }
  };
  return std::visit(visitor{enc}, v);
}

nlohmann::json to_json(const entry_list& entries, opaque_encoding enc) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : entries)
    out.push_back(nlohmann::json{{"path", to_string(e.path)}, {"value", to_json(e.value, enc)}});
  return out;
}

result<value> value_from_json(const nlohmann::json& j, value_type t, opaque_encoding enc) {
  const std::string what = "value for type " + std::string(to_string(t));
  switch (t) {
    case value_type::string:
      if (j.is_string()) return value{j.get<std::string>()};
      if (j.is_number() || j.is_boolean()) return value{j.dump()};
      return fail(what + " must be a string");
    case value_type::corelnk:
      if (j.is_string()) return value{corelnk_value{j.get<std::string>()}};
      return fail(what + " must be a string");
    case value_type::integer:
    case value_type::time: {
      int64_t i = 0;
      if (j.is_number_integer() &&
          !(j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(INT64_MAX))) {
        i = j.get<int64_t>();
      } else if (j.is_string()) {
        auto r = detail::parse_int(j.get_ref<const std::string&>());
        if (!r) return fail(what + ": " + r.error().reason);
        i = r.value();
      } else {
        return fail(what + " must be an integer");
      }
      if (t == value_type::time) return value{time_value{i}};
      return value{i};
    }
    case value_type::unsigned_integer: {
      if (j.is_number_unsigned()) return value{j.get<uint64_t>()};
      if (j.is_number_integer() && j.get<int64_t>() >= 0) return value{uint64_t(j.get<int64_t>())};
      if (j.is_string()) {
        auto r = detail::parse_uint(j.get_ref<const std::string&>());
        if (!r) return fail(what + ": " + r.error().reason);
        return value{r.value()};
      }
      return fail(what + " must be a non-negative integer");
    }
    case value_type::floating: {
      if (j.is_number()) return value{j.get<double>()};
      if (j.is_string()) {
        auto r = detail::parse_float(j.get_ref<const std::string&>());
        if (!r) return fail(what + ": " + r.error().reason);
        return value{r.value()};
      }
      return fail(what + " must be a number");
    }
    case value_type::boolean:
      if (j.is_boolean()) return value{j.get<bool>()};
      if (j.is_string()) {
        const auto& s = j.get_ref<const std::string&>();
        if (s == "true" || s == "1") return value{true};
        if (s == "false" || s == "0") return value{false};
      }
      if (j.is_number_integer() && (j.get<int64_t>() == 0 || j.get<int64_t>() == 1))
        return value{j.get<int64_t>() == 1};
      return fail(what + " must be true or false");
    case value_type::opaque: {
      if (!j.is_string()) return fail(what + " must be a string");
      const auto& s = j.get_ref<const std::string&>();
      auto r = enc == opaque_encoding::hex ? hex_decode(s) : base64_decode(s);
      if (!r) return fail(what + ": " + r.error().reason);
      return value{opaque_value{std::move(r).value()}};
    }
    case value_type::objlnk: {
      if (!j.is_string()) return fail(what + " must be a string \"obj:inst\"");
      const auto& s = j.get_ref<const std::string&>();
      const auto colon = s.find(':');
      if (colon == std::string::npos) return fail(what + " must be \"obj:inst\"");
      auto a = detail::parse_uint(std::string_view(s).substr(0, colon));
      auto b = detail::parse_uint(std::string_view(s).substr(colon + 1));
      if (!a || !b || a.value() > 65535 || b.value() > 65535)
        return fail(what + " must be \"obj:inst\" with ids 0-65535");
      return value{objlnk_value{uint16_t(a.value()), uint16_t(b.value())}};
    }
    case value_type::none:
      return value{};
  }
  return fail(what + ": unsupported");
}

std::string base64_encode(const std::vector<uint8_t>& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8 | bytes[i + 2];
    out += b64_chars[n >> 18];
    out += b64_chars[(n >> 12) & 63];
    out += b64_chars[(n >> 6) & 63];
    out += b64_chars[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = uint32_t(bytes[i]) << 16;
    out += b64_chars[n >> 18];
    out += b64_chars[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = uint32_t(bytes[i]) << 16 | uint32_t(bytes[i + 1]) << 8;
    out += b64_chars[n >> 18];
    out += b64_chars[(n >> 12) & 63];
    out += b64_chars[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

result<std::vector<uint8_t>> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return fail("bad base64 length");
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = b64_index(c);
    if (v < 0) return fail("bad base64 character");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
      acc &= (1u << bits) - 1;
    }
  }
  return out;
}

std::string hex_encode(const std::vector<uint8_t>& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

result<std::vector<uint8_t>> hex_decode(std::string_view text) {
  if (text.size() % 2) return fail("odd number of hex digits");
  std::vector<uint8_t> out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = hex_index(text[i]), lo = hex_index(text[i + 1]);
    if (hi < 0 || lo < 0) return fail("bad hex digit");
    out.push_back(uint8_t(hi << 4 | lo));
  }
  return out;
}

}  // namespace edgegw::lwm2m
