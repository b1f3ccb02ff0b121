// Strict decimal parsing of numbers in text (plain-text payloads, JSON string values):
// the whole text must be the number, no spaces, no trailing garbage.
#pragma once
#include <cstdint>
#include <string_view>

#include "../result.hpp"

namespace edgegw::lwm2m::detail {

result<int64_t> parse_int(std::string_view s);
result<uint64_t> parse_uint(std::string_view s);
result<double> parse_float(std::string_view s);
// Shortest text that reads back as the same double ("1.5", "21", "1e+300").
std::string format_float(double d);

}  // namespace edgegw::lwm2m::detail
