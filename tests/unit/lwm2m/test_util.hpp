// Shared helpers of the LwM2M codec tests: bytes from hex, the shipped object registry.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocols/lwm2m/codec/codec.hpp"

namespace lwm2m_test {

inline std::vector<uint8_t> hex(std::string_view s) {
  std::string clean;
  for (char c : s)
    if (c != ' ' && c != '\n') clean += c;
  auto r = edgegw::lwm2m::hex_decode(clean);
  EXPECT_TRUE(r.has_value()) << s;
  return r ? r.value() : std::vector<uint8_t>{};
}

inline std::vector<uint8_t> bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

inline const edgegw::lwm2m::object_registry& shipped() {
  static const edgegw::lwm2m::object_registry reg = [] {
    auto r = edgegw::lwm2m::object_registry::load_directory(EDGEGW_LWM2M_OBJECTS_DIR);
    if (!r) {
      for (auto& e : r.error()) ADD_FAILURE() << e;
      return edgegw::lwm2m::object_registry{};
    }
    return std::move(r).value();
  }();
  return reg;
}

inline edgegw::lwm2m::path P(std::string_view s) {
  auto r = edgegw::lwm2m::parse_path(s);
  EXPECT_TRUE(r.has_value()) << s;
  return r ? r.value() : edgegw::lwm2m::path{};
}

}  // namespace lwm2m_test
