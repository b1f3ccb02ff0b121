// Bounds-checked cursor over the body of one MQTT packet. Every read reports failure instead
// of running past the end, so the packet decoders never index the input themselves.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace edgegw::mqtt::detail {

enum class varint_status : uint8_t { ok, truncated, too_long };

// Variable Byte Integer (MQTT 1.5.5) from [p, p + n): at most 4 bytes. Non-minimal encodings
// (0x80 0x00 for 0) are accepted, as most brokers do; a fifth byte is malformed.
inline varint_status parse_varint(const uint8_t* p, std::size_t n, uint32_t& value,
                                  std::size_t& length) {
  uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i == n) return varint_status::truncated;
    v |= static_cast<uint32_t>(p[i] & 0x7F) << (7 * i);
    if ((p[i] & 0x80) == 0) {
      value = v;
      length = i + 1;
      return varint_status::ok;
    }
  }
  return varint_status::too_long;
}

class byte_reader {
 public:
  byte_reader() = default;
  explicit byte_reader(std::span<const uint8_t> in) : p_(in.data()), end_(in.data() + in.size()) {}

  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  bool empty() const { return p_ == end_; }

  bool u8(uint8_t& v) {
    if (p_ == end_) return false;
    v = *p_++;
    return true;
  }
  bool u16(uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<uint16_t>(p_[0] << 8 | p_[1]);
    p_ += 2;
    return true;
  }
  bool u32(uint32_t& v) {
    if (remaining() < 4) return false;
    v = static_cast<uint32_t>(p_[0]) << 24 | static_cast<uint32_t>(p_[1]) << 16 |
        static_cast<uint32_t>(p_[2]) << 8 | static_cast<uint32_t>(p_[3]);
    p_ += 4;
    return true;
  }
  varint_status varint(uint32_t& v) {
    std::size_t len = 0;
    auto st = parse_varint(p_, remaining(), v, len);
    if (st == varint_status::ok) p_ += len;
    return st;
  }
  // Two-byte length followed by that many bytes (UTF-8 string or binary data, MQTT 1.5.4/6).
  bool prefixed(std::string_view& v) {
    uint16_t len = 0;
    if (!u16(len) || remaining() < len) return false;
    v = {reinterpret_cast<const char*>(p_), len};
    p_ += len;
    return true;
  }
  // Everything left (a PUBLISH payload).
  std::string_view rest() {
    std::string_view v{reinterpret_cast<const char*>(p_), remaining()};
    p_ = end_;
    return v;
  }
  // Splits off the next n bytes as their own reader (a property block).
  bool take(std::size_t n, byte_reader& part) {
    if (remaining() < n) return false;
    part.p_ = p_;
    part.end_ = p_ + n;
    p_ += n;
    return true;
  }

 private:
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
};

}  // namespace edgegw::mqtt::detail
