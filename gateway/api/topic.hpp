// Pure topic helpers shared by the core and every adapter: validation of names and
// filters against the configured limits, wildcard matching (with the rule that `$`-topics
// are never matched by a leading wildcard), and parsing of `$share/` and `$queue/` filters.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "errors.hpp"

namespace edgegw {

struct topic_limits {
  std::size_t max_length = 65535;  // bytes
  std::size_t max_levels = 128;    // '/'-separated levels
};

// A topic name for PUBLISH: non-empty, valid UTF-8 without U+0000, no wildcards.
errc validate_topic_name(std::string_view topic, const topic_limits& limits = {}) noexcept;
// A subscription filter: '+' alone in its level, '#' alone and last.
errc validate_topic_filter(std::string_view filter, const topic_limits& limits = {}) noexcept;
// MQTT matching, including [MQTT-4.7.2-1]: '#' and '+' at the first level do not match
// topics that start with '$'.
bool topic_matches(std::string_view filter, std::string_view topic) noexcept;
bool has_wildcards(std::string_view filter) noexcept;

// `$share/<group>/<filter>` or `$queue/<filter>` (group "$queue").
struct shared_filter {
  std::string group;
  std::string filter;
};
// nullopt when `filter` is not a shared subscription; errc via `error` when it is one but
// malformed (empty group, group with wildcards, missing filter).
std::optional<shared_filter> parse_shared_filter(std::string_view filter, errc* error) noexcept;

// Helper for gateways: "a/b" with mountpoint "mp/" -> "mp/a/b".
inline std::string mount(std::string_view mountpoint, std::string_view topic) {
  std::string s;
  s.reserve(mountpoint.size() + topic.size());
  s.append(mountpoint).append(topic);
  return s;
}

// True when `s` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, at most
// U+10FFFF) with no U+0000 unless `allow_nul` (MQTT 1.5.4 forbids it; JSON does not).
bool valid_utf8(std::string_view s, bool allow_nul = false) noexcept;

}  // namespace edgegw
