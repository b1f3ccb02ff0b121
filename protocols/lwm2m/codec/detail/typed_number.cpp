// Typing of numbers from JSON and SenML records.
#include "typed_number.hpp"

#include <cmath>

namespace edgegw::lwm2m::detail {

namespace {

value natural(const number& n) {
  return std::visit([](auto x) { return value{x}; }, n);
}

// The number as an int64 when it is integral and in range.
std::optional<int64_t> as_int(const number& n) {
  if (auto* i = std::get_if<int64_t>(&n)) return *i;
  if (auto* u = std::get_if<uint64_t>(&n))
    return *u <= uint64_t(INT64_MAX) ? std::optional<int64_t>(int64_t(*u)) : std::nullopt;
  const double d = std::get<double>(n);
  if (std::isfinite(d) && std::trunc(d) == d && d >= -9.2e18 && d <= 9.2e18) return int64_t(d);
  return std::nullopt;
}

}  // namespace

value typed_number(const number& n, value_type t) {
  switch (t) {
    case value_type::integer:
      if (auto i = as_int(n)) return value{*i};
      return natural(n);
    case value_type::time:
      if (auto i = as_int(n)) return value{time_value{*i}};
      return natural(n);
    case value_type::unsigned_integer:
      if (auto* u = std::get_if<uint64_t>(&n)) return value{*u};
      if (auto i = as_int(n); i && *i >= 0) return value{uint64_t(*i)};
      return natural(n);
    case value_type::floating:
      return std::visit([](auto x) { return value{double(x)}; }, n);
    default:
      return natural(n);
  }
}

}  // namespace edgegw::lwm2m::detail
