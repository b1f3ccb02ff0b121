// Unchecked big-endian writer into space the encoder has already sized exactly (one resize
// per packet, then plain stores: no per-byte capacity checks on the hot path).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace edgegw::mqtt::detail {

inline constexpr uint32_t max_varint = 268'435'455;  // 4-byte Variable Byte Integer limit

inline constexpr std::size_t varint_size(uint32_t v) {
  return v < 128 ? 1 : v < 16'384 ? 2 : v < 2'097'152 ? 3 : 4;
}

class byte_writer {
 public:
  explicit byte_writer(char* p) : p_(p) {}

  char* pos() const { return p_; }
  void u8(uint8_t v) { *p_++ = static_cast<char>(v); }
  void u16(uint16_t v) {
    p_[0] = static_cast<char>(v >> 8);
    p_[1] = static_cast<char>(v);
    p_ += 2;
  }
  void u32(uint32_t v) {
    p_[0] = static_cast<char>(v >> 24);
    p_[1] = static_cast<char>(v >> 16);
    p_[2] = static_cast<char>(v >> 8);
    p_[3] = static_cast<char>(v);
    p_ += 4;
  }
  void varint(uint32_t v) {
    do {
      uint8_t b = v & 0x7F;
      v >>= 7;
      if (v != 0) b |= 0x80;
      *p_++ = static_cast<char>(b);
    } while (v != 0);
  }
  void raw(std::string_view s) {
    if (!s.empty()) std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  // Two-byte length then the bytes; the caller has checked size() <= 65535.
  void prefixed(std::string_view s) {
    u16(static_cast<uint16_t>(s.size()));
    raw(s);
  }

 private:
  char* p_;
};

}  // namespace edgegw::mqtt::detail
