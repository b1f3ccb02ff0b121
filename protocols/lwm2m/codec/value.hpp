// Typed LwM2M values as the decoders produce them and the encoders take them, and their
// EMQX JSON form ({"path": "/3/0/0", "value": ...}).
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "path.hpp"

namespace edgegw::lwm2m {

// Resource data types of the OMA object definitions (LwM2M 1.1 adds unsigned and corelnk).
// `none` is the type of executable resources, which carry no value.
enum class value_type : uint8_t {
  string,
  integer,
  unsigned_integer,
  floating,
  boolean,
  opaque,
  time,
  objlnk,
  corelnk,
  none
};

struct opaque_value {
  std::vector<uint8_t> bytes;
  friend bool operator==(const opaque_value&, const opaque_value&) = default;
};
struct time_value {
  int64_t seconds = 0;  // Unix time
  friend bool operator==(const time_value&, const time_value&) = default;
};
struct objlnk_value {
  uint16_t object_id = 0;
  uint16_t instance_id = 0;
  friend bool operator==(const objlnk_value&, const objlnk_value&) = default;
};
struct corelnk_value {
  std::string text;  // RFC 6690 link text
  friend bool operator==(const corelnk_value&, const corelnk_value&) = default;
};

// monostate is "no value" (a SenML record without one; EMQX prints null).
using value = std::variant<std::monostate, std::string, int64_t, uint64_t, double, bool,
                           opaque_value, time_value, objlnk_value, corelnk_value>;

struct entry {
  lwm2m::path path;
  lwm2m::value value;
  friend bool operator==(const entry&, const entry&) = default;
};
using entry_list = std::vector<entry>;

// How opaque values are printed in JSON: base64 by default, hex when the command carried
// "encoding": "hex" (as EMQX).
enum class opaque_encoding : uint8_t { base64, hex };

// "String", "Integer", "Unsigned Integer", "Float", "Boolean", "Opaque", "Time", "Objlnk",
// "Corelnk", "" — the OMA names, which EMQX also uses for the "type" of a write.
std::string_view to_string(value_type t) noexcept;
// Accepts the OMA names case-insensitively, plus "unsigned" and "none"/"".
result<value_type> parse_value_type(std::string_view name);
value_type type_of(const value& v) noexcept;

nlohmann::json to_json(const value& v, opaque_encoding enc = opaque_encoding::base64);
// The EMQX "content" list: [{"path": "/3/0/0", "value": ...}, ...].
nlohmann::json to_json(const entry_list& entries, opaque_encoding enc = opaque_encoding::base64);

// A value of type `t` from the JSON a command carries (a write's "value"): numbers may come
// as JSON numbers or strings ("12", "1.5"), booleans as true/false or "true"/"false",
// opaque as base64 (hex with opaque_encoding::hex), objlnk as "3:0", time as seconds.
result<value> value_from_json(const nlohmann::json& j, value_type t,
                              opaque_encoding enc = opaque_encoding::base64);

std::string base64_encode(const std::vector<uint8_t>& bytes);
result<std::vector<uint8_t>> base64_decode(std::string_view text);
std::string hex_encode(const std::vector<uint8_t>& bytes);
result<std::vector<uint8_t>> hex_decode(std::string_view text);

}  // namespace edgegw::lwm2m
