// The one mapping from broker API outcomes to MQTT-SN return codes (STYLE.md "Errors").
#pragma once
#include "gateway/api/errors.hpp"
#include "protocols/mqttsn/codec/packet.hpp"

namespace edgegw::mqttsn::detail {

// Resource limits are "congestion" (the client may retry later); everything else, refusals
// by authentication or ACL included, is "not supported" (MQTT-SN has no "not authorized").
inline return_code to_return_code(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return return_code::accepted;
    case errc::server_busy:
    case errc::server_unavailable:
    case errc::quota_exceeded:
    case errc::packet_id_in_use:
      return return_code::congestion;
    default:
      return return_code::not_supported;
  }
}

}  // namespace edgegw::mqttsn::detail
