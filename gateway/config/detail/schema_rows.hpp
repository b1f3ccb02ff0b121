// Row builders shared by the schema files (schema.cpp and one schema_<area>.cpp per
// protocol gateway or bridge, so each area adds its keys without touching the others).
#pragma once
#include <chrono>
#include <string_view>
#include <vector>

#include "gateway/config/schema.hpp"

namespace edgegw::config::detail {

using std::string_view;
using namespace std::chrono_literals;

constexpr std::int64_t kib = 1024;
constexpr std::int64_t mib = 1024 * kib;
constexpr std::int64_t second = 1000;  // durations are bounded in milliseconds
constexpr std::int64_t minute = 60 * second;
constexpr std::int64_t hour = 60 * minute;
constexpr std::int64_t day = 24 * hour;
constexpr std::int64_t uint32_seconds = 4294967294LL * second;  // 0xFFFFFFFF = "never"
constexpr std::int64_t unlimited_count = 100'000'000;

inline key_spec row(string_view section, string_view key, value_type type, string_view def,
                    string_view doc) {
  key_spec k;
  k.section = section;
  k.key = key;
  k.type = type;
  k.default_text = def;
  k.doc = doc;
  return k;
}
inline key_spec boolean(string_view s, string_view k, string_view def, string_view doc) {
  return row(s, k, value_type::boolean, def, doc);
}
inline key_spec integer(string_view s, string_view k, string_view def, std::int64_t min,
                        std::int64_t max, string_view doc) {
  key_spec r = row(s, k, value_type::integer, def, doc);
  r.min = min;
  r.max = max;
  return r;
}
inline key_spec number(string_view s, string_view k, string_view def, double min, double max,
                       string_view doc) {
  key_spec r = row(s, k, value_type::number, def, doc);
  r.min_number = min;
  r.max_number = max;
  return r;
}
inline key_spec duration(string_view s, string_view k, string_view def,
                         std::chrono::milliseconds unit, std::int64_t min_ms, std::int64_t max_ms,
                         string_view doc) {
  key_spec r = row(s, k, value_type::duration, def, doc);
  r.unit = unit;
  r.min = min_ms;
  r.max = max_ms;
  return r;
}
inline key_spec size(string_view s, string_view k, string_view def, std::int64_t min,
                     std::int64_t max, string_view doc) {
  key_spec r = row(s, k, value_type::size, def, doc);
  r.min = min;
  r.max = max;
  return r;
}
inline key_spec text(string_view s, string_view k, string_view def, string_view doc) {
  return row(s, k, value_type::string, def, doc);
}
inline key_spec choice(string_view s, string_view k, string_view def, string_view choices,
                       string_view doc) {
  key_spec r = row(s, k, value_type::enumeration, def, doc);
  r.choices = choices;
  return r;
}
inline key_spec address(string_view s, string_view k, string_view def, string_view doc) {
  return row(s, k, value_type::endpoint, def, doc);
}
inline key_spec file(string_view s, string_view k, string_view def, string_view doc) {
  return row(s, k, value_type::path, def, doc);
}
inline key_spec non_empty(key_spec k) {
  k.min = 1;
  return k;
}
inline key_spec with_infinity(key_spec k) {
  k.infinity = true;
  return k;
}
inline key_spec runtime_template(key_spec k) {
  k.runtime_template = true;
  return k;
}

// Keys of one area, appended in the order etc/edgegw.ini shows them.
void add_mqttsn_keys(std::vector<key_spec>& rows);
void add_coap_keys(std::vector<key_spec>& rows);
void add_lwm2m_keys(std::vector<key_spec>& rows);
void add_bridge_keys(std::vector<key_spec>& rows);
void add_stomp_keys(std::vector<key_spec>& rows);
void add_api_keys(std::vector<key_spec>& rows);
void add_board_keys(std::vector<key_spec>& rows);
void add_auth_keys(std::vector<key_spec>& rows);
void add_auth_http_keys(std::vector<key_spec>& rows);

}  // namespace edgegw::config::detail
