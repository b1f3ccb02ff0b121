// One spool record <-> bytes. Pure: no I/O, no exceptions, never reads out of bounds.
// A segment file is a header followed by frames, each one record:
//
//   frame  := u32 LE crc32c(len || body) | varint len | body (len bytes)
//   body   := data | ack
//   data   := u8 1 | varint seq | varint append_ms | u8 flags | varint topic_len | topic
//             | payload                                  (flags bit 3 clear: rest of body)
//             | varint payload_len | payload | extras    (flags bit 3 set)
//   flags  := bits 0-1 qos (0..2), bit 2 retain, bit 3 extras present, others 0
//   extras := varint presence | [u8 payload_format] [str content_type] [str response_topic]
//             [str correlation_data] [varint n, n x (str key, str value)]
//             [zigzag varint expire_at_ms] [str from_client] [str from_protocol]
//   ack    := u8 2 | varint next_seq | varint cursor | varint n | n x (varint gap, varint len-1)
//
// An ack record is the whole acknowledgement state: every seq below `cursor` is acknowledged
// (or dropped), `cursor` itself is not, and the n ranges above it (each starting `gap` after
// the end of the previous one, or after `cursor` for the first) are acknowledged too.
// `next_seq` is the seq the next append gets, so seqs stay increasing across restarts.
// Varints are unsigned LEB128. The form is canonical (minimal varints, presence bits only
// for non-default values, extras only when present), so decode(b) succeeding means
// encode(decode(b)) == b.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "gateway/api/message.hpp"
#include "gateway/api/result.hpp"

namespace edgegw::bridge {

// The largest body a frame may announce: an MQTT payload (256 MiB) plus a topic and
// properties. Anything larger is damage, not a record.
inline constexpr uint64_t max_record_body = (256ull << 20) + (1u << 20);

enum class record_errc : uint8_t {
  ok = 0,
  truncated,       // the bytes end inside the frame: need more (or a torn tail)
  bad_length,      // the announced length is impossible, or a field runs past the body
  bad_crc,         // checksum mismatch: corrupted or torn
  bad_kind,        // a record kind this build does not know
  bad_value,       // reserved bits, qos 3, non-minimal varint, non-canonical field
  trailing_bytes,  // bytes left in the body after the last field
};
const std::error_category& record_category() noexcept;
inline std::error_code make_error_code(record_errc e) noexcept {
  return {static_cast<int>(e), record_category()};
}

struct data_record {
  uint64_t seq = 0;
  int64_t append_ms = 0;  // wall clock at append
  message msg;
};

struct ack_record {
  uint64_t next_seq = 1;
  uint64_t cursor = 1;
  std::vector<std::pair<uint64_t, uint64_t>> acked;  // [first, last] ranges above cursor
  bool operator==(const ack_record&) const = default;
};

struct decoded_record {
  std::variant<data_record, ack_record> rec;
  std::size_t size = 0;  // bytes of the whole frame
};

// Decodes the frame at the start of `bytes` (more bytes may follow it).
result<decoded_record> decode_record(std::string_view bytes);

// Append one frame to `out`; return its size.
std::size_t encode_data(std::string& out, uint64_t seq, int64_t append_ms, const message& m);
std::size_t encode_ack(std::string& out, const ack_record& a);
// The size encode_data would produce, without encoding.
std::size_t data_record_size(uint64_t seq, int64_t append_ms, const message& m) noexcept;

// CRC-32C (Castagnoli), continuing from `crc` (0 to start).
uint32_t crc32c(std::string_view bytes, uint32_t crc = 0) noexcept;

}  // namespace edgegw::bridge

template <>
struct std::is_error_code_enum<edgegw::bridge::record_errc> : std::true_type {};
