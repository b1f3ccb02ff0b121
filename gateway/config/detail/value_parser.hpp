// Text <-> typed value for each schema type. Pure functions that never throw: a bad
// value yields an error message saying what was expected, which the loader prefixes
// with FILE:LINE.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/config/schema.hpp"

namespace edgegw::config::detail {

struct parse_outcome {
  std::optional<value> parsed;
  std::string error;  // set when !parsed
};

// Parses `text` (already trimmed) for `spec`: strips one pair of surrounding double
// quotes, then checks type, range, choices and the key's own rule.
parse_outcome parse_value(const key_spec& spec, std::string_view text);

// The inverse: text that parse_value turns back into the same value.
std::string format_value(const key_spec& spec, const value& v);

// "an integer in 1..65535", "one of: none, peer", ... for messages and comments.
std::string describe_expected(const key_spec& spec);

// The individual parsers, exposed for unit tests. They take no quotes or spaces around.
std::optional<bool> parse_bool(std::string_view text);
std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<double> parse_number(std::string_view text);

enum class number_error : uint8_t { none, syntax, negative, overflow };
struct duration_outcome {
  std::chrono::milliseconds value{0};
  number_error error = number_error::none;
};
duration_outcome parse_duration(std::string_view text, std::chrono::milliseconds unit,
                                bool allow_infinity);
struct size_outcome {
  std::uint64_t value = 0;
  number_error error = number_error::none;
};
size_outcome parse_size(std::string_view text);

// Error message or endpoint.
struct endpoint_outcome {
  endpoint value;
  std::string error;
};
endpoint_outcome parse_endpoint(std::string_view text);

std::string format_duration(std::chrono::milliseconds d);
std::string format_size(std::uint64_t bytes);
std::string format_endpoint(const endpoint& e);

std::string_view trim(std::string_view s);
// For messages: at most `max` bytes, control bytes, quotes and backslashes as \xNN.
std::string printable(std::string_view s, std::size_t max = 60);

}  // namespace edgegw::config::detail
