// Helpers for the codec tests: wire images as byte vectors, and the checks every valid
// packet goes through (exact encoding, decoding back, every split offset, size limit).
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/mqtt/codec/codec.hpp"

namespace edgegw::mqtt::test {

using bytes = std::vector<uint8_t>;

inline bytes to_bytes(std::string_view s) {
  return bytes(s.begin(), s.end());
}

// Appends groups to a wire image (for long or repeated parts).
inline bytes cat(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline std::string hex(const uint8_t* p, std::size_t n) {
  std::string s;
  char buf[4];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x ", p[i]);
    s += buf;
  }
  return s;
}
inline std::string hex(const bytes& b) {
  return hex(b.data(), b.size());
}
inline std::string hex(std::string_view s) {
  return hex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Test name suffix for suites parameterised by version.
inline std::string version_name(const ::testing::TestParamInfo<version>& p) {
  switch (p.param) {
    case version::v31:
      return "v31";
    case version::v311:
      return "v311";
    case version::v5:
      break;
  }
  return "v5";
}

// Decodes from an exact-size heap copy, so ASan catches any read past `in`.
inline decode_result decode_copy(const uint8_t* p, std::size_t n, version ver, uint32_t max,
                                 packet& out) {
  bytes copy(p, p + n);
  return decode(std::span<const uint8_t>(copy.data(), copy.size()), ver, max, out);
}
inline decode_result decode_copy(const bytes& b, version ver, uint32_t max, packet& out) {
  return decode_copy(b.data(), b.size(), ver, max, out);
}

// `wire` decodes to `expected`, whole and only whole: each strict prefix is need_more
// (consuming nothing and leaving `out` alone), the Maximum Packet Size is checked exactly.
inline void expect_decodes_to(const bytes& wire, version ver, const packet& expected) {
  packet got;
  auto r = decode_copy(wire, ver, 0, got);
  ASSERT_EQ(r.status, decode_status::ok) << (r.error ? r.error : "") << " in " << hex(wire);
  EXPECT_EQ(r.consumed, wire.size());
  EXPECT_EQ(r.error, nullptr);
  if (!(got == expected)) {
    std::string again;
    encode(got, ver, again);
    ADD_FAILURE() << "decoded packet differs; it re-encodes as " << hex(again);
  }
  for (std::size_t k = 0; k < wire.size(); ++k) {
    packet untouched = pingresp{};
    auto p = decode_copy(wire.data(), k, ver, 0, untouched);
    EXPECT_EQ(p.status, decode_status::need_more) << "prefix of " << k << " bytes";
    EXPECT_EQ(p.consumed, 0u);
    EXPECT_GT(p.needed, k);
    EXPECT_LE(p.needed, wire.size());
    EXPECT_TRUE(std::holds_alternative<pingresp>(untouched));
  }
  // Followed by the next packet: only this one is consumed.
  bytes two = wire;
  two.push_back(0xD0);
  two.push_back(0x00);
  r = decode_copy(two, ver, 0, got);
  EXPECT_EQ(r.status, decode_status::ok);
  EXPECT_EQ(r.consumed, wire.size());
  // Maximum Packet Size counts the whole packet.
  const auto size = static_cast<uint32_t>(wire.size());
  EXPECT_EQ(decode_copy(wire, ver, size, got).status, decode_status::ok);
  EXPECT_EQ(decode_copy(wire, ver, size - 1, got).status, decode_status::packet_too_large);
}

// `p` encodes for `ver` to exactly `wire`, and `wire` decodes back to `p`.
inline void expect_wire(const packet& p, version ver, const bytes& wire) {
  std::string out = "xyz";  // encode appends
  const std::size_t n = encode(p, ver, out);
  EXPECT_EQ(n, wire.size());
  EXPECT_EQ(encoded_size(p, ver), wire.size());
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out.substr(0, 3), "xyz");
  EXPECT_EQ(hex(std::string_view(out).substr(3)), hex(wire));
  expect_decodes_to(wire, ver, p);
}

// Decoding `wire` fails with `status`, and the error text cites `cite` when given.
inline void expect_error(const bytes& wire, version ver, decode_status status,
                         std::string_view cite = {}) {
  packet got;
  auto r = decode_copy(wire, ver, 0, got);
  EXPECT_EQ(r.status, status) << (r.error ? r.error : "(no error text)") << " in " << hex(wire);
  EXPECT_EQ(r.consumed, 0u);
  ASSERT_NE(r.error, nullptr);
  if (!cite.empty()) {
    EXPECT_NE(std::string_view(r.error).find(cite), std::string_view::npos)
        << r.error << " does not cite " << cite;
  }
}

}  // namespace edgegw::mqtt::test
