// Payload decoders: device response or notification bytes -> {path, value} list typed by
// the object definitions. One entry point per format and decode_content() dispatching on
// the CoAP Content-Format. Pure and non-throwing; malformed input gives the reason.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "object_registry.hpp"
#include "result.hpp"
#include "value.hpp"

namespace edgegw::lwm2m {

// `request` is the path the request targeted; TLV and plain text are relative to it.
// Formats: text (0), opaque (42), TLV (11542, 1542), OMA JSON (11543, 1543), SenML JSON
// (110), SenML CBOR (112). An absent Content-Format means text (CoAP default).
result<entry_list> decode_content(uint16_t format, std::span<const uint8_t> payload,
                                  const path& request, const object_registry& objects);

result<entry_list> decode_tlv(std::span<const uint8_t> payload, const path& request,
                              const object_registry& objects);
// Plain text needs a resource (or resource instance) path.
result<entry_list> decode_text(std::span<const uint8_t> payload, const path& request,
                               const object_registry& objects);
result<entry_list> decode_opaque(std::span<const uint8_t> payload, const path& request);
// OMA LwM2M JSON 1.0: {"bn": "/3/0/", "e": [{"n": "0", "sv": "..."}, ...]}.
result<entry_list> decode_oma_json(std::span<const uint8_t> payload, const path& request,
                                   const object_registry& objects);
// SenML (RFC 8428) as LwM2M 1.1 uses it: names concatenated with the base name form paths.
result<entry_list> decode_senml_json(std::span<const uint8_t> payload,
                                     const object_registry& objects);
result<entry_list> decode_senml_cbor(std::span<const uint8_t> payload,
                                     const object_registry& objects);

// CoRE link format (RFC 6690, content format 40).
struct link {
  std::string target;                                           // the URI between < and >
  std::vector<std::pair<std::string, std::string>> attributes;  // value "" for a flag
  friend bool operator==(const link&, const link&) = default;
};
result<std::vector<link>> decode_links(std::string_view text);
// The discover "content" EMQX gives: the payload split at commas, each link as its text
// ("</3/0>;dim=8" ...). Commas inside quoted attribute values do not split.
std::vector<std::string> split_links(std::string_view text);

}  // namespace edgegw::lwm2m
