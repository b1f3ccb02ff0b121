// MQTT-SN codec: one UDP datagram <-> one message. Pure (no I/O, no exceptions), so it is
// fuzzed and unit-tested alone. A datagram holds exactly one message: its Length field
// (one octet, or 0x01 then two octets for 256 bytes and more) must equal the datagram size.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "packet.hpp"

namespace edgegw::mqttsn {

enum class decode_status : uint8_t {
  ok,
  malformed,  // wrong length, short body, bad field value
  unknown_type,
};

struct decode_result {
  decode_status status = decode_status::malformed;
  const char* error = nullptr;  // static text saying what was wrong (for logs), else null
};

// Decode the datagram `in` into `out` (meaningful only when ok). An Encapsulated message is
// decoded as `encapsulated` with the inner message left as bytes, to decode in turn.
decode_result decode(std::span<const uint8_t> in, packet& out);

// Append the encoding of `p` to `out`, using the 3-octet length form when the message is
// 256 bytes or more. Returns the encoded size, or 0 with nothing appended when `p` cannot
// be put on the wire (over 65535 bytes, an encapsulated node id over 252 bytes).
std::size_t encode(const packet& p, std::string& out);

// Fast path for outgoing PUBLISH: no `publish` value, no payload copy.
std::size_t encode_publish(const flags& f, uint16_t topic_id, uint16_t msg_id,
                           std::string_view data, std::string& out);

const char* to_string(msg_type t) noexcept;

}  // namespace edgegw::mqttsn
