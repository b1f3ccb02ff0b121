// The configuration schema: every section and key edgegw knows, with its type, default,
// allowed values and a one-line doc. The loader, the renderer of etc/edgegw.ini and the
// tests all read this one table, so a key cannot exist in one place and not the others.
// Sections and keys may hold one `*` component standing for a user-chosen name
// ([A-Za-z0-9_-]+): `listener.tcp.*` is every TCP listener, `predefined.*` every
// predefined topic id.
#pragma once
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace edgegw::config {

enum class value_type : uint8_t {
  boolean,      // true/false, on/off, yes/no
  integer,      // decimal, within [min, max]
  number,       // decimal fraction, within [min_number, max_number]
  duration,     // 250ms, 15s, 1m, 2h; a plain number is in `unit`; maybe `infinity`
  size,         // bytes, or KB/MB/GB (1024-based)
  string,       // free text; ${...} substitution applies
  enumeration,  // one of `choices`
  endpoint,     // HOST:PORT, [v6]:PORT, :PORT
  list,         // comma-separated strings, trimmed
  path,         // a file system path (string semantics)
};

// A listen/connect address. An empty host means all interfaces.
struct endpoint {
  std::string host;
  uint16_t port = 0;
  bool operator==(const endpoint&) const = default;
};

// A parsed value: the alternative follows value_type (integer -> int64_t, number ->
// double, duration -> milliseconds, size -> uint64_t, string/enumeration/path ->
// std::string, list -> vector). `infinity` is milliseconds::max().
using value = std::variant<bool, std::int64_t, double, std::chrono::milliseconds, std::uint64_t,
                           std::string, std::vector<std::string>, endpoint>;

struct key_spec {
  std::string_view section;  // "mqtt" or a pattern such as "listener.tcp.*"
  std::string_view key;      // "max_inflight" or a pattern such as "predefined.*"
  value_type type = value_type::string;
  std::string_view default_text;  // parsed like a file value; "" for dynamic keys
  std::int64_t min = 0;           // integer, size (bytes), duration (ms); string: min length
  std::int64_t max = 0;
  double min_number = 0;
  double max_number = 0;
  std::string_view choices;                               // enumeration: "a|b|c"
  std::chrono::milliseconds unit{1000};                   // duration: unit of a plain number
  bool infinity = false;                                  // duration: accepts `infinity`
  bool runtime_template = false;                          // keeps ${clientid} etc. for later
  std::string_view (*check)(std::string_view) = nullptr;  // extra rule: error or ""
  std::string_view doc;

  bool dynamic() const { return key.find('*') != std::string_view::npos; }
};

struct section_spec {
  std::string_view pattern;           // "node" or "listener.tcp.*"
  std::string_view doc;               // header comment for etc/edgegw.ini
  std::string_view default_instance;  // pattern sections: the instance defaults define
};

// The whole schema, in the order etc/edgegw.ini presents it.
std::span<const section_spec> sections();
std::span<const key_spec> keys();

// Runtime placeholders kept verbatim in keys marked runtime_template.
std::span<const std::string_view> runtime_placeholders();

// `name` matches `pattern` component by component; `*` matches one instance name.
bool matches_pattern(std::string_view pattern, std::string_view name);
bool is_instance_name(std::string_view name);

const section_spec* find_section(std::string_view section);
const key_spec* find_key(std::string_view section, std::string_view key);

// Resolves a full dotted key ("listener.tcp.default.bind") to its spec and the length of
// its section part; nullptr when no schema key matches.
struct resolved_key {
  const key_spec* spec = nullptr;
  std::size_t section_length = 0;
};
resolved_key resolve_key(std::string_view full_key);

}  // namespace edgegw::config
