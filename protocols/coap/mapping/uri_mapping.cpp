// See uri_mapping.hpp.
#include "protocols/coap/mapping/uri_mapping.hpp"

#include <charconv>

namespace edgegw::coap {

namespace {

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <class T>
bool parse_uint(std::string_view s, T max, T& out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return false;
  out = static_cast<T>(v);
  return true;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

route map_path(std::span<const std::string> segments, bool* bad) {
  *bad = false;
  route r;
  if (segments.empty()) return r;
  route_kind kind;
  if (segments[0] == "ps") {
    kind = route_kind::ps;
  } else if (segments[0] == "mqtt") {
    if (segments.size() == 2 && segments[1] == "connection") {
      r.kind = route_kind::connection;
      return r;
    }
    kind = route_kind::legacy_mqtt;
  } else {
    return r;
  }
  if (segments.size() < 2) {
    *bad = true;
    return r;
  }
  std::string topic;
  for (std::size_t i = 1; i < segments.size(); ++i) {
    auto seg = percent_decode(segments[i]);
    if (!seg) {
      *bad = true;
      return r;
    }
    if (i > 1) topic.push_back('/');
    topic += *seg;
  }
  r.kind = kind;
  r.topic = std::move(topic);
  return r;
}

bool parse_query(std::span<const std::string> items, request_params& out, std::string* why) {
  auto fail = [&](std::string_view reason) {
    if (why) *why = reason;
    return false;
  };
  for (const auto& item : items) {
    auto eq = item.find('=');
    std::string_view name = std::string_view(item).substr(0, eq);
    auto value = percent_decode(eq == std::string::npos ? std::string_view()
                                                        : std::string_view(item).substr(eq + 1));
    if (!value) return fail("bad percent escape in query");
    if (name == "clientid" || name == "c") {
      out.clientid = std::move(*value);
    } else if (name == "username" || name == "u") {
      out.username = std::move(*value);
    } else if (name == "password" || name == "p") {
      out.password = std::move(*value);
    } else if (name == "token" || name == "t") {
      out.token = std::move(*value);
    } else if (name == "qos" || name == "q") {
      uint8_t q = 0;
      if (!parse_uint<uint8_t>(*value, 2, q)) return fail("qos must be 0, 1 or 2");
      out.qos = q;
    } else if (name == "retain" || name == "r") {
      if (*value == "true" || *value == "1")
        out.retain = true;
      else if (*value == "false" || *value == "0")
        out.retain = false;
      else
        return fail("retain must be true or false");
    } else if (name == "expiry") {
      uint32_t e = 0;
      if (!parse_uint<uint32_t>(*value, 0xFFFFFFFFu, e)) return fail("expiry must be seconds");
      out.expiry = e;
    }
  }
  return true;
}

std::optional<uint16_t> content_format_of(const message& m) {
  for (const auto& p : m.user_properties) {
    if (p.key != content_format_property) continue;
    uint16_t cf = 0;
    if (parse_uint<uint16_t>(p.value, 0xFFFF, cf)) return cf;
    return std::nullopt;
  }
  return std::nullopt;
}

observe_action observe_from(std::optional<uint32_t> option) {
  if (!option) return observe_action::none;
  if (*option == 0) return observe_action::register_;
  if (*option == 1) return observe_action::deregister;
  return observe_action::none;
}

}  // namespace edgegw::coap
