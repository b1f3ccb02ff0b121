// Write encoders: what the server sends a device. TLV for writes and creates (one
// resource, resource instances, an object instance, a batch from basePath + content),
// plain text for a single resource, and the query strings of write-attributes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "result.hpp"
#include "value.hpp"

namespace edgegw::lwm2m {

// TLV payload for writing `entries` at `base`:
// - base /o/i/r: one entry at /o/i/r gives a single resource; entries at /o/i/r/ri give a
//   multiple resource with those instances;
// - base /o/i: entries at /o/i/r or /o/i/r/ri give the resources of that instance;
// - base /o (create): entries at /o/i/... are grouped into object instances.
// Every entry must lie below `base` at resource depth or deeper.
result<std::vector<uint8_t>> encode_tlv(const path& base, const entry_list& entries);

// Plain text (content format 0) of one value: decimal numbers, "0"/"1" booleans as the
// LwM2M spec writes them, "obj:inst" objlnk, base64 for opaque.
result<std::string> encode_text(const value& v);

// Notification attributes of write-attributes (LwM2M 1.0 TS 5.1.2). Absent ones are not
// sent; a value of "" clears that attribute on the device ("pmin" alone in the query).
struct write_attributes {
  std::optional<std::string> pmin, pmax, gt, lt, st;
  bool empty() const { return !pmin && !pmax && !gt && !lt && !st; }
};
// Uri-Query option values, one per attribute, in the order pmin, pmax, gt, lt, st.
std::vector<std::string> encode_query(const write_attributes& attrs);

}  // namespace edgegw::lwm2m
