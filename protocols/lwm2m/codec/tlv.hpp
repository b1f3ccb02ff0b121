// OMA LwM2M TLV (content format 11542, legacy 1542; LwM2M 1.0 TS section 6.4.3): the
// structure (type, id, length, value, nesting) and the value encodings (big-endian two's
// complement integers of 1/2/4/8 bytes, IEEE floats of 4/8 bytes, one-byte booleans,
// 4-byte objlnk). Parsing is strict: every byte must belong to one well-formed TLV, nesting
// follows the spec (instances hold resources, multiple resources hold resource instances).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "result.hpp"
#include "value.hpp"

namespace edgegw::lwm2m {

enum class tlv_kind : uint8_t {
  object_instance = 0,    // value is nested resources
  resource_instance = 1,  // inside a multiple resource
  multiple_resource = 2,  // value is nested resource instances
  resource_value = 3,     // a single resource with its value
};

struct tlv {
  tlv_kind kind = tlv_kind::resource_value;
  uint16_t id = 0;
  std::vector<uint8_t> value;  // resource_value / resource_instance
  std::vector<tlv> children;   // object_instance / multiple_resource
  friend bool operator==(const tlv&, const tlv&) = default;
};

result<std::vector<tlv>> tlv_parse(std::span<const uint8_t> in);
// Appends the encoding; uses the shortest id and length fields.
void tlv_write(const std::vector<tlv>& items, std::vector<uint8_t>& out);

// Value bytes <-> typed values. Integers use the shortest of 1/2/4/8 bytes; floats 4 bytes
// when exact, else 8; time as an integer.
std::vector<uint8_t> tlv_value_bytes(const value& v);
result<value> tlv_value(std::span<const uint8_t> bytes, value_type t);

}  // namespace edgegw::lwm2m
