// LwM2M paths: /obj, /obj/inst, /obj/inst/res and /obj/inst/res/ri, each id 0..65535
// (65535 itself is reserved by the spec and refused). Parsing accepts the forms EMQX
// accepts in commands ("3/0/0" without the leading slash, a trailing slash) and prints
// the canonical "/3/0/0".
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "result.hpp"

namespace edgegw::lwm2m {

struct path {
  std::array<uint16_t, 4> ids{};  // object, instance, resource, resource instance
  uint8_t depth = 0;              // how many ids are set: 0 is the root "/"

  uint16_t object() const { return ids[0]; }
  uint16_t instance() const { return ids[1]; }
  uint16_t resource() const { return ids[2]; }
  uint16_t resource_instance() const { return ids[3]; }

  // This path with `id` appended (depth must be below 4).
  path child(uint16_t id) const {
    path p = *this;
    p.ids[p.depth++] = id;
    return p;
  }
  // True when `other` equals this path or lies below it.
  bool contains(const path& other) const {
    if (other.depth < depth) return false;
    for (uint8_t i = 0; i < depth; ++i)
      if (ids[i] != other.ids[i]) return false;
    return true;
  }
  friend bool operator==(const path& a, const path& b) {
    if (a.depth != b.depth) return false;
    for (uint8_t i = 0; i < a.depth; ++i)
      if (a.ids[i] != b.ids[i]) return false;
    return true;
  }
};

// Parse "/3/0/1" (leading slash optional, one trailing slash allowed). `allow_root` accepts
// "/" or "" as the depth-0 root path. Errors say what is wrong ("bad path '/3/x': ...").
result<path> parse_path(std::string_view text, bool allow_root = false);

// "/3/0/1"; "/" for the root.
std::string to_string(const path& p);

}  // namespace edgegw::lwm2m
