// CoAP Content-Format numbers LwM2M uses (IANA registry; 1542/1543 are the pre-1.0 numbers
// some devices still send for TLV and JSON).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace edgegw::lwm2m {

namespace content_format {
inline constexpr uint16_t text = 0;
inline constexpr uint16_t link = 40;
inline constexpr uint16_t opaque = 42;
inline constexpr uint16_t senml_json = 110;
inline constexpr uint16_t senml_cbor = 112;
inline constexpr uint16_t tlv_legacy = 1542;
inline constexpr uint16_t json_legacy = 1543;
inline constexpr uint16_t tlv = 11542;
inline constexpr uint16_t json = 11543;
}  // namespace content_format

// Whether decode_content() understands this format (link format goes through
// decode_links() instead).
bool is_supported(uint16_t format) noexcept;
// "text/plain", "application/vnd.oma.lwm2m+tlv", ...; "" for an unknown number.
std::string_view media_type(uint16_t format) noexcept;

}  // namespace edgegw::lwm2m
