// The CoAP response code for a broker refusal (authentication, bans, limits), shared by
// the CoAP and LwM2M gateways so a device sees the same code from both: 4.01 for bad
// credentials or a ban, 4.03 when not authorized, 4.13 for a too-large message, 5.03 when
// the broker is busy or going away, 4.00 otherwise. Codes are written as class*100+detail.
#pragma once
#include <cstdint>

#include "gateway/api/errors.hpp"

namespace edgegw::coap {

constexpr uint16_t refusal_code(errc e) noexcept {
  switch (e) {
    case errc::bad_credentials:
    case errc::banned:
      return 401;
    case errc::not_authorized:
      return 403;
    case errc::server_busy:
    case errc::server_unavailable:
    case errc::quota_exceeded:
    case errc::server_shutting_down:
      return 503;
    case errc::packet_too_large:
      return 413;
    default:
      return 400;
  }
}

}  // namespace edgegw::coap
