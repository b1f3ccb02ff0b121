// MQTT codec: bytes <-> packet values. Pure (no I/O, no exceptions, no allocation beyond the
// packet itself), so it is fuzzed and unit-tested alone. Decoding is incremental: feed the
// bytes you have; `need_more` says how many are missing, and the fixed header is checked
// against `max_packet_size` before the body is even waited for, so a peer cannot make us
// buffer more than the limit.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "packet.hpp"

namespace edgegw::mqtt {

enum class decode_status : uint8_t {
  ok,
  need_more,         // not a whole packet yet; nothing consumed
  malformed,         // v5 0x81 Malformed Packet
  protocol_error,    // v5 0x82 Protocol Error (well-formed but forbidden)
  packet_too_large,  // v5 0x95, decided from the fixed header alone
  // CONNECT with a protocol level this server does not speak: answer CONNACK 0x01 (v3) or
  // 0x84 (v5) and close [MQTT-3.1.2-2]. Decided from the protocol name and level alone.
  unsupported_version,
};

struct decode_result {
  decode_status status = decode_status::need_more;
  std::size_t consumed = 0;     // bytes of the packet, when ok
  std::size_t needed = 0;       // when need_more: a lower bound of total bytes required
  const char* error = nullptr;  // static text saying what was wrong (for logs), else null
};

// Decode one packet from the front of `in`. `ver` is the connection's negotiated version
// (CONNECT itself is decoded whatever `ver` says, with the version it names). The decoder
// knows every packet type of both directions (tests and the bridge use it as a client).
// `max_packet_size` bounds the whole packet (fixed header included); 0 means no limit.
// `out` is written only when a whole packet is there, and is meaningful only when ok.
decode_result decode(std::span<const uint8_t> in, version ver, uint32_t max_packet_size,
                     packet& out);

// Append the encoding of `p` for version `ver` to `out` (CONNECT uses its own `ver` and the
// protocol name of that version). v5 acks, DISCONNECT and AUTH use their short forms when
// possible; properties a packet may not carry are left out. Returns the encoded size, or 0
// with nothing appended when `p` cannot be put on the wire: AUTH before v5, a QoS or
// Retain Handling above 2, a string over 65535 bytes, a pub_response whose type is not an
// ack, a packet over the 268435455-byte Remaining Length limit. Other rules (non-zero packet
// ids, non-empty lists) are the caller's: tests may build such packets on purpose.
std::size_t encode(const packet& p, version ver, std::string& out);

// Size `p` would have on the wire (for v5 Maximum Packet Size checks before encoding);
// 0 when encode would refuse it.
std::size_t encoded_size(const packet& p, version ver);

// The CONNACK return code a server must refuse a well-formed CONNECT with because of its
// Client Identifier, or 0: v3.1 needs 1 to 23 bytes; v3.1.1 needs Clean Session with an
// empty one [MQTT-3.1.3-8] (both 0x02 Identifier rejected). v5 has no such rule (the
// server assigns an identifier), so this is always 0 for v5.
uint8_t client_id_refusal(const connect& c);

}  // namespace edgegw::mqtt

namespace edgegw::mqtt {

// Fast path for the broker's hot loop: encode an outgoing PUBLISH straight from the shared
// message's topic and payload, without building a `publish` value (no payload copy).
struct publish_view {
  bool dup = false;
  uint8_t qos = 0;
  bool retain = false;
  std::string_view topic;  // empty with a v5 topic alias already known to the client
  uint16_t packet_id = 0;
  const properties* props = nullptr;  // v5 only; may be null
  std::string_view payload;
};
// Same bytes as encode(publish{...}); 0 with nothing appended when not encodable.
std::size_t encode_publish(const publish_view& p, version ver, std::string& out);
std::size_t encoded_publish_size(const publish_view& p, version ver);

}  // namespace edgegw::mqtt
