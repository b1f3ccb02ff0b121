// The one place where broker outcomes (errc, close_reason) become MQTT wire codes: v5
// reason codes per packet, and the v3.1 / 3.1.1 CONNACK return code for each v5 refusal
// (as EMQX's emqx_reason_codes:compat/2 does).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/api/broker.hpp"

namespace edgegw::mqtt::detail {

// v5 CONNACK reason for a refused authenticate / open_session.
uint8_t connack_reason(errc e) noexcept;
// v3 CONNACK return code for a v5 refusal reason; nullopt when v3 has no CONNACK for it
// (malformed packet, protocol error: the connection is just closed [MQTT-3.1.4-1]).
std::optional<uint8_t> connack_v3_code(uint8_t v5_reason) noexcept;
// v5 PUBACK / PUBREC reason for a refused publish.
uint8_t puback_reason(errc e) noexcept;
// v5 SUBACK reason for a refused filter.
uint8_t suback_reason(errc e) noexcept;
// v5 UNSUBACK reason.
uint8_t unsuback_reason(errc e) noexcept;
// v5 DISCONNECT reason when the server closes for `r` (0x00 for the client's own reasons).
uint8_t disconnect_reason(close_reason r) noexcept;
std::string_view to_string(close_reason r) noexcept;
// The broker's errc inside a result's error_code (unspecified for foreign categories).
errc to_errc(const std::error_code& ec) noexcept;

}  // namespace edgegw::mqtt::detail
