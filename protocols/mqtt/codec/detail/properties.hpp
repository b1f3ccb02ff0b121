// MQTT 5 properties (section 2.2.2): decoding with the per-packet allowed table and the
// value rules, and encoding of whatever the target packet may carry (properties a packet
// may not carry are left out, so the encoder never writes a malformed packet).
#pragma once
#include <cstddef>
#include <cstdint>

#include "protocols/mqtt/codec/detail/byte_reader.hpp"
#include "protocols/mqtt/codec/detail/byte_writer.hpp"
#include "protocols/mqtt/codec/detail/failure.hpp"
#include "protocols/mqtt/codec/packet.hpp"

namespace edgegw::mqtt::detail {

// What carries a property block: a packet type, or the will inside CONNECT.
enum class prop_owner : uint8_t {
  connect,
  connack,
  publish,
  will,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  disconnect,
  auth
};

// The owner of the block of an acknowledgement packet (PUBACK..PUBCOMP).
prop_owner owner_of(packet_type ack);

// True if property `id` may appear on `o` (unknown ids are never allowed).
bool property_allowed(uint32_t id, prop_owner o);

// Reads a Property Length and the block it announces into `out` (which starts empty).
failure decode_properties(byte_reader& r, prop_owner o, properties& out);

inline constexpr std::size_t bad_size = static_cast<std::size_t>(-1);

// Bytes of the property block `o` carries, without the length prefix; bad_size when a
// value cannot be encoded (a string over 65535 bytes, a subscription id over the varint
// range, or a block over the varint range).
std::size_t property_block_size(const properties& p, prop_owner o);

// Property Length plus block, as sized by property_block_size.
void write_properties(byte_writer& w, const properties& p, prop_owner o, std::size_t block);

}  // namespace edgegw::mqtt::detail
