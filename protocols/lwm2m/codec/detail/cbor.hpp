// A small, strict CBOR (RFC 8949) reader for the SenML subset: definite-length arrays,
// maps, integers, byte and text strings, half/single/double floats, false/true/null. No
// tags, no indefinite lengths, no other simple values; nesting bounded. Every byte of the
// input must be one data item.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "../result.hpp"

namespace edgegw::lwm2m::detail {

struct cbor_item;
using cbor_array = std::vector<cbor_item>;
using cbor_map = std::vector<std::pair<cbor_item, cbor_item>>;
struct cbor_bytes {
  std::vector<uint8_t> bytes;
};
struct cbor_null {};

struct cbor_item {
  // int64 for major types 0/1 that fit, uint64 for larger positives.
  std::variant<cbor_null, bool, int64_t, uint64_t, double, std::string, cbor_bytes,
               std::shared_ptr<cbor_array>, std::shared_ptr<cbor_map>>
      v;
};

result<cbor_item> cbor_parse(std::span<const uint8_t> in, int max_depth = 4);

}  // namespace edgegw::lwm2m::detail
