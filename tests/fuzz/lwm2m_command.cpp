// libFuzzer target for the dn JSON command parser: any payload gives a command or a reason;
// every message built from either serialises; write/create payloads parse as TLV; the
// response path decodes the same bytes as a device reply.
#include <cstdlib>
#include <span>
#include <string_view>

#include "lwm2m_registry.hpp"
#include "protocols/lwm2m/codec/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgegw::lwm2m;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = parse_command(text, fuzz_objects());
  if (!c) {
    (void)make_command_error(c.error()).dump();
    return 0;
  }
  const command& cmd = c.value();
  if (cmd.content_format == content_format::tlv && !tlv_parse(cmd.payload)) std::abort();
  (void)cmd.uri_path("/alt").size();
  (void)make_response(cmd, 0x44).dump();
  (void)make_ack(cmd).dump();
  (void)make_coap_timeout(cmd).dump();
  const std::span<const uint8_t> bytes(data, size);
  for (uint16_t f : {content_format::text, content_format::tlv, content_format::link})
    (void)response_from_coap(cmd, 0x45, f, bytes, fuzz_objects()).dump();
  (void)make_notify(cmd, 1, 0x45, content_format::opaque, bytes, fuzz_objects()).dump();
  return 0;
}
