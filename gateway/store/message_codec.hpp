// The binary form of a broker `message`, used for the store's blobs and the bridge's
// spool. Compact and versioned, with a CRC32 so a torn or flipped record is rejected
// instead of being delivered as garbage:
//
//   u8      version (1)
//   u8      flags: bits 0-1 qos, bit 2 retain, others 0
//   varint  presence bitmap (see `field` in the .cpp): which optional fields follow
//   varint  topic length, bytes
//   varint  payload length, bytes
//   [u8 payload_format] [str content_type] [str response_topic] [str correlation_data]
//   [varint count, count x (str key, str value)]   user properties
//   [zigzag varint expire_at_ms] [str from_client] [str from_protocol]
//   u32 LE  CRC32 (IEEE) of everything before it
//
// Varints are unsigned LEB128. The form is canonical (minimal varints, a presence bit only
// for a non-default value), so decode(b) succeeding implies encode(decode(b)) == b.
// Pure: no I/O, no exceptions; decode never reads out of bounds.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

#include "gateway/api/message.hpp"
#include "gateway/api/result.hpp"

namespace edgegw::store {

inline constexpr uint8_t message_codec_version = 1;

enum class codec_errc : uint8_t {
  ok = 0,
  truncated,       // input ends inside a field or before the CRC
  bad_version,     // version byte this build does not know
  bad_crc,         // CRC32 mismatch: torn or corrupted record
  bad_length,      // a length or count larger than what is left
  bad_value,       // reserved bits set, non-minimal varint, non-canonical presence
  trailing_bytes,  // bytes after the last field
};

const std::error_category& codec_category() noexcept;
inline std::error_code make_error_code(codec_errc e) noexcept {
  return {static_cast<int>(e), codec_category()};
}

std::string encode_message(const message& m);
result<message> decode_message(std::string_view bytes);

// CRC32 (IEEE 802.3, as zlib's crc32), continuing from `crc` (0 to start).
uint32_t crc32(std::string_view bytes, uint32_t crc = 0) noexcept;

// Unsigned LEB128 helpers, shared with the store's other small blobs.
void put_varint(std::string& out, uint64_t v);
// Reads a varint at `pos`, advancing it on success: truncated when the input ends inside
// it, bad_value when it is longer than 64 bits or not minimal.
codec_errc get_varint(std::string_view in, std::size_t& pos, uint64_t& v) noexcept;

}  // namespace edgegw::store

template <>
struct std::is_error_code_enum<edgegw::store::codec_errc> : std::true_type {};
