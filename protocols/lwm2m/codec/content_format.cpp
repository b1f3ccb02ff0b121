// Content-Format numbers and media types.
#include "content_format.hpp"

namespace edgegw::lwm2m {

bool is_supported(uint16_t format) noexcept {
  switch (format) {
    case content_format::text:
    case content_format::opaque:
    case content_format::senml_json:
    case content_format::senml_cbor:
    case content_format::tlv_legacy:
    case content_format::json_legacy:
    case content_format::tlv:
    case content_format::json:
      return true;
    default:
      return false;
  }
}

std::string_view media_type(uint16_t format) noexcept {
  switch (format) {
    case content_format::text:
      return "text/plain";
    case content_format::link:
      return "application/link-format";
    case content_format::opaque:
      return "application/octet-stream";
    case content_format::senml_json:
      return "application/senml+json";
    case content_format::senml_cbor:
      return "application/senml+cbor";
    case content_format::tlv_legacy:
    case content_format::tlv:
      return "application/vnd.oma.lwm2m+tlv";
    case content_format::json_legacy:
    case content_format::json:
      return "application/vnd.oma.lwm2m+json";
    default:
      return "";
  }
}

}  // namespace edgegw::lwm2m
