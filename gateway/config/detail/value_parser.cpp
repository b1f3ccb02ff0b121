// Parsers and formatters of the schema's value types. Overflow is detected before it
// happens (checked arithmetic), so hostile numbers give a message, never UB.
#include "gateway/config/detail/value_parser.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace edgegw::config::detail {
namespace {

using std::chrono::milliseconds;
constexpr std::uint64_t kib = 1024;
constexpr std::int64_t ms_per_second = 1000;
constexpr std::int64_t ms_per_minute = 60 * ms_per_second;
constexpr std::int64_t ms_per_hour = 60 * ms_per_minute;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Leading decimal digits of `text` into `out`; returns how many were read (0 = none).
// Sets `overflow` instead of wrapping.
std::size_t read_digits(std::string_view text, std::uint64_t& out, bool& overflow) {
  out = 0;
  overflow = false;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (out > (std::numeric_limits<std::uint64_t>::max() - d) / 10) overflow = true;
    if (!overflow) out = out * 10 + d;
  }
  return i;
}

std::string format_int(std::int64_t v) {
  return std::to_string(v);
}

std::string format_number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string unit_name(milliseconds unit) {
  if (unit == milliseconds{1}) return "milliseconds";
  if (unit == milliseconds{ms_per_second}) return "seconds";
  if (unit == milliseconds{ms_per_minute}) return "minutes";
  return format_duration(unit);
}

bool host_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
}

std::string check_hostname(std::string_view host) {
  bool numeric = true;
  for (char c : host) numeric = numeric && (is_digit(c) || c == '.');
  if (numeric) {
    std::string copy(host);
    in_addr a{};
    if (inet_pton(AF_INET, copy.c_str(), &a) != 1) return "invalid IPv4 address";
    return {};
  }
  if (host.size() > 253) return "host name too long";
  std::size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return "empty label in host name";
      label = 0;
    } else if (!host_label_char(c)) {
      return "invalid character in host name";
    } else if (++label > 63) {
      return "host name label too long";
    }
  }
  if (label == 0) return "host name ends with '.'";
  return {};
}

std::string check_ipv6(std::string_view host) {
  std::string_view addr = host.substr(0, host.find('%'));
  if (addr.size() < host.size()) {
    std::string_view zone = host.substr(addr.size() + 1);
    if (zone.empty() || zone.size() > 15) return "invalid IPv6 zone";
    for (char c : zone) {
      if (!host_label_char(c) && c != '.') return "invalid IPv6 zone";
    }
  }
  std::string copy(addr);
  in6_addr a{};
  if (inet_pton(AF_INET6, copy.c_str(), &a) != 1) return "invalid IPv6 address";
  return {};
}

// `${` escaped as `$${`, unless it starts a runtime placeholder the key keeps.
std::string escape_dollar(const key_spec& spec, const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s.compare(i, 2, "${") == 0) {
      bool placeholder = false;
      if (spec.runtime_template) {
        for (auto name : runtime_placeholders()) {
          if (s.compare(i + 2, name.size() + 1, std::string(name) + "}") == 0) placeholder = true;
        }
      }
      if (!placeholder) out += '$';
    }
    out += s[i];
  }
  return out;
}

// Quoted if the text would not survive trimming and parse_value's unquoting.
std::string quote_if_needed(std::string s) {
  bool needs = !s.empty() && (trim(s).size() != s.size() || s.front() == '"');
  return needs ? '"' + s + '"' : s;
}

}  // namespace

std::string_view trim(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string printable(std::string_view s, std::size_t max) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '"' || c == '\\') {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

std::optional<bool> parse_bool(std::string_view text) {
  for (auto t : {"true", "on", "yes"}) {
    if (iequals(text, t)) return true;
  }
  for (auto f : {"false", "off", "no"}) {
    if (iequals(text, f)) return false;
  }
  return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view text) {
  if (text.size() > 1 && text.front() == '+' && is_digit(text[1])) text.remove_prefix(1);
  std::int64_t v = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc{} || res.ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_number(std::string_view text) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  // from_chars also takes "inf" and "nan"; only plain decimals are numbers here.
  for (char c : text) {
    if (!is_digit(c) && c != '.' && c != '-' && c != 'e' && c != 'E') return std::nullopt;
  }
  double v = 0;
  auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc{} || res.ptr != text.data() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

duration_outcome parse_duration(std::string_view text, milliseconds unit, bool allow_infinity) {
  if (allow_infinity && iequals(text, "infinity")) return {milliseconds::max(), number_error::none};
  if (!text.empty() && text.front() == '-') return {{}, number_error::negative};
  std::uint64_t n = 0;
  bool overflow = false;
  std::size_t digits = read_digits(text, n, overflow);
  if (digits == 0) return {{}, number_error::syntax};
  std::string_view suffix = trim(text.substr(digits));
  std::int64_t scale = unit.count();
  if (suffix.empty()) {
  } else if (iequals(suffix, "ms")) {
    scale = 1;
  } else if (iequals(suffix, "s")) {
    scale = ms_per_second;
  } else if (iequals(suffix, "m")) {
    scale = ms_per_minute;
  } else if (iequals(suffix, "h")) {
    scale = ms_per_hour;
  } else {
    return {{}, number_error::syntax};
  }
  std::int64_t result = 0;
  // milliseconds::max() means infinity, so the largest finite value is one below.
  if (overflow || n > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
      __builtin_mul_overflow(static_cast<std::int64_t>(n), scale, &result) ||
      result == milliseconds::max().count()) {
    return {{}, number_error::overflow};
  }
  return {milliseconds{result}, number_error::none};
}

size_outcome parse_size(std::string_view text) {
  if (!text.empty() && text.front() == '-') return {0, number_error::negative};
  std::uint64_t n = 0;
  bool overflow = false;
  std::size_t digits = read_digits(text, n, overflow);
  if (digits == 0) return {0, number_error::syntax};
  std::string_view suffix = trim(text.substr(digits));
  std::uint64_t scale = 1;
  if (suffix.empty() || iequals(suffix, "b")) {
  } else if (iequals(suffix, "kb")) {
    scale = kib;
  } else if (iequals(suffix, "mb")) {
    scale = kib * kib;
  } else if (iequals(suffix, "gb")) {
    scale = kib * kib * kib;
  } else {
    return {0, number_error::syntax};
  }
  std::uint64_t result = 0;
  if (overflow || __builtin_mul_overflow(n, scale, &result)) return {0, number_error::overflow};
  return {result, number_error::none};
}

endpoint_outcome parse_endpoint(std::string_view text) {
  endpoint_outcome out;
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return {{}, "missing ']' after IPv6 address"};
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') return {{}, "missing ':PORT'"};
    port = text.substr(close + 2);
    if (auto e = check_ipv6(host); !e.empty()) return {{}, e};
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return {{}, "missing ':PORT'"};
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return {{}, "an IPv6 address needs brackets, as in [::1]:1883"};
    }
    if (!host.empty()) {
      if (auto e = check_hostname(host); !e.empty()) return {{}, e};
    }
  }
  std::uint64_t p = 0;
  bool overflow = false;
  std::size_t digits = read_digits(port, p, overflow);
  if (digits == 0 || digits != port.size()) return {{}, "invalid port"};
  if (overflow || p > 65535) return {{}, "port out of range 0..65535"};
  out.value.host = std::string(host);
  out.value.port = static_cast<uint16_t>(p);
  return out;
}

std::string format_duration(milliseconds d) {
  std::int64_t ms = d.count();
  if (d == milliseconds::max()) return "infinity";
  if (ms == 0) return "0s";
  if (ms % ms_per_hour == 0) return format_int(ms / ms_per_hour) + "h";
  if (ms % ms_per_minute == 0) return format_int(ms / ms_per_minute) + "m";
  if (ms % ms_per_second == 0) return format_int(ms / ms_per_second) + "s";
  return format_int(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  if (bytes % (kib * kib * kib) == 0) return std::to_string(bytes / (kib * kib * kib)) + "GB";
  if (bytes % (kib * kib) == 0) return std::to_string(bytes / (kib * kib)) + "MB";
  if (bytes % kib == 0) return std::to_string(bytes / kib) + "KB";
  return std::to_string(bytes);
}

std::string format_endpoint(const endpoint& e) {
  // Built with append: GCC 12's -Wrestrict misfires on `"[" + str` chains at -O2.
  std::string out;
  bool v6 = e.host.find(':') != std::string::npos;
  if (v6) out.append("[");
  out.append(e.host);
  if (v6) out.append("]");
  out.append(":").append(std::to_string(e.port));
  return out;
}

std::string describe_expected(const key_spec& spec) {
  switch (spec.type) {
    case value_type::boolean:
      return "true or false (or on/off, yes/no)";
    case value_type::integer:
      return "an integer in " + format_int(spec.min) + ".." + format_int(spec.max);
    case value_type::number:
      return "a number in " + format_number(spec.min_number) + ".." +
             format_number(spec.max_number);
    case value_type::duration:
      return "a duration in " + format_duration(milliseconds{spec.min}) + ".." +
             format_duration(milliseconds{spec.max}) + (spec.infinity ? " or infinity" : "") +
             " (ms, s, m, h; a plain number is in " + unit_name(spec.unit) + ")";
    case value_type::size:
      return "a size in " + format_size(static_cast<std::uint64_t>(spec.min)) + ".." +
             format_size(static_cast<std::uint64_t>(spec.max)) + " (bytes, KB, MB, GB)";
    case value_type::enumeration: {
      std::string out = "one of: ";
      for (char c : spec.choices) out += c == '|' ? std::string(", ") : std::string(1, c);
      return out;
    }
    case value_type::endpoint:
      return "HOST:PORT, [IPv6]:PORT or :PORT (all interfaces), port 0..65535";
    case value_type::list:
      return "a comma-separated list";
    case value_type::string:
      return spec.min > 0 ? "a non-empty string" : "a string";
    case value_type::path:
      return spec.min > 0 ? "a non-empty path" : "a path";
  }
  return {};
}

parse_outcome parse_value(const key_spec& spec, std::string_view text) {
  if (!text.empty() && text.front() == '"') {
    if (text.size() < 2 || text.back() != '"') return {std::nullopt, "unterminated quote"};
    text = text.substr(1, text.size() - 2);
  }
  auto fail = [&](std::string_view why) {
    std::string msg(why);
    if (!msg.empty()) msg += "; ";
    return parse_outcome{std::nullopt, msg + "expected " + describe_expected(spec)};
  };
  auto number_fail = [&](number_error e) {
    switch (e) {
      case number_error::negative:
        return fail("must not be negative");
      case number_error::overflow:
        return fail("too large");
      default:
        return fail("");
    }
  };
  switch (spec.type) {
    case value_type::boolean: {
      auto b = parse_bool(text);
      if (!b) return fail("");
      return {value{*b}, {}};
    }
    case value_type::integer: {
      auto i = parse_int(text);
      if (!i) return fail("");
      if (*i < spec.min || *i > spec.max) return fail("out of range");
      return {value{*i}, {}};
    }
    case value_type::number: {
      auto d = parse_number(text);
      if (!d) return fail("");
      if (*d < spec.min_number || *d > spec.max_number) return fail("out of range");
      return {value{*d}, {}};
    }
    case value_type::duration: {
      auto d = parse_duration(text, spec.unit, spec.infinity);
      if (d.error != number_error::none) return number_fail(d.error);
      if (d.value != milliseconds::max() &&
          (d.value.count() < spec.min || d.value.count() > spec.max)) {
        return fail("out of range");
      }
      return {value{d.value}, {}};
    }
    case value_type::size: {
      auto s = parse_size(text);
      if (s.error != number_error::none) return number_fail(s.error);
      if (s.value < static_cast<std::uint64_t>(spec.min) ||
          s.value > static_cast<std::uint64_t>(spec.max)) {
        return fail("out of range");
      }
      return {value{s.value}, {}};
    }
    case value_type::enumeration: {
      std::string_view choices = spec.choices;
      while (true) {
        auto bar = choices.find('|');
        if (choices.substr(0, bar) == text) return {value{std::string(text)}, {}};
        if (bar == std::string_view::npos) return fail("");
        choices.remove_prefix(bar + 1);
      }
    }
    case value_type::endpoint: {
      auto e = parse_endpoint(text);
      if (!e.error.empty()) return fail(e.error);
      return {value{std::move(e.value)}, {}};
    }
    case value_type::list: {
      std::vector<std::string> items;
      if (!trim(text).empty()) {
        while (true) {
          auto comma = text.find(',');
          std::string_view item = trim(text.substr(0, comma));
          if (item.empty()) return fail("empty list item");
          items.emplace_back(item);
          if (comma == std::string_view::npos) break;
          text.remove_prefix(comma + 1);
        }
      }
      return {value{std::move(items)}, {}};
    }
    case value_type::string:
    case value_type::path: {
      if (static_cast<std::int64_t>(text.size()) < spec.min) return fail("empty");
      if (spec.check) {
        if (auto e = spec.check(text); !e.empty()) return {std::nullopt, std::string(e)};
      }
      return {value{std::string(text)}, {}};
    }
  }
  return fail("");
}

std::string format_value(const key_spec& spec, const value& v) {
  switch (spec.type) {
    case value_type::boolean:
      return std::get<bool>(v) ? "true" : "false";
    case value_type::integer:
      return format_int(std::get<std::int64_t>(v));
    case value_type::number:
      return format_number(std::get<double>(v));
    case value_type::duration:
      return format_duration(std::get<milliseconds>(v));
    case value_type::size:
      return format_size(std::get<std::uint64_t>(v));
    case value_type::endpoint:
      return format_endpoint(std::get<endpoint>(v));
    case value_type::list: {
      std::string out;
      for (const auto& item : std::get<std::vector<std::string>>(v)) {
        if (!out.empty()) out += ", ";
        out += escape_dollar(spec, item);
      }
      return quote_if_needed(std::move(out));
    }
    case value_type::enumeration:
      return std::get<std::string>(v);
    case value_type::string:
    case value_type::path:
      return quote_if_needed(escape_dollar(spec, std::get<std::string>(v)));
  }
  return {};
}

}  // namespace edgegw::config::detail
