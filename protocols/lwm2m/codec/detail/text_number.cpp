// Strict number <-> text conversions (std::from_chars / to_chars: locale-free).
#include "text_number.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "utf8.hpp"

namespace edgegw::lwm2m::detail {

namespace {
std::string quoted(std::string_view s) {
  return quote(s);
}
}  // namespace

result<int64_t> parse_int(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return fail(quoted(s) + " is not an integer");
  return v;
}

result<uint64_t> parse_uint(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return fail(quoted(s) + " is not an unsigned integer");
  return v;
}

result<double> parse_float(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v))
    return fail(quoted(s) + " is not a number");
  return v;
}

std::string format_float(double d) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc{}) return "0";
  return std::string(buf, end);
}

}  // namespace edgegw::lwm2m::detail
