// UTF-8 check for MQTT strings: well-formed per Unicode table 3-7 (no overlongs, surrogates
// or code points above U+10FFFF) [MQTT-1.5.4-1] and no U+0000 [MQTT-1.5.4-2]. Inline: it runs
// over every topic of every PUBLISH, so ASCII is checked eight bytes at a time.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace edgegw::mqtt::detail {

inline bool valid_utf8(std::string_view s) {
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  constexpr uint64_t ones = 0x0101010101010101ULL;
  constexpr uint64_t highs = 0x8080808080808080ULL;
  while (p != end) {
    while (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      // Any byte >= 0x80, or any zero byte (the classic has-zero-byte trick).
      if (((w | ((w - ones) & ~w)) & highs) != 0) break;
      p += 8;
    }
    if (p == end) break;
    const unsigned c = *p;
    if (c < 0x80) {
      if (c == 0) return false;
      ++p;
      continue;
    }
    auto cont = [](unsigned b) { return (b & 0xC0) == 0x80; };
    const auto left = end - p;
    if (c < 0xC2) return false;  // stray continuation byte or overlong 2-byte form
    if (c < 0xE0) {
      if (left < 2 || !cont(p[1])) return false;
      p += 2;
    } else if (c < 0xF0) {
      if (left < 3 || !cont(p[2])) return false;
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;  // overlong
      const unsigned hi = c == 0xED ? 0x9F : 0xBF;  // UTF-16 surrogates
      if (p[1] < lo || p[1] > hi) return false;
      p += 3;
    } else if (c < 0xF5) {
      if (left < 4 || !cont(p[2]) || !cont(p[3])) return false;
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80;  // overlong
      const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;  // above U+10FFFF
      if (p[1] < lo || p[1] > hi) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace edgegw::mqtt::detail
