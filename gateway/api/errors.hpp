// Protocol-neutral outcomes of broker API calls. Every adapter maps these to its own wire
// codes in one function (MQTT v5 reason codes, MQTT-SN return codes, CoAP response codes,
// STOMP ERROR frames), so the core never speaks any wire protocol.
#pragma once
#include <cstdint>
#include <string_view>
#include <system_error>

namespace edgegw {

enum class errc : uint8_t {
  ok = 0,
  unspecified,
  malformed,        // bytes that do not parse
  protocol_error,   // parses, but breaks the protocol's rules
  bad_credentials,  // wrong username/password
  not_authorized,   // authentication or ACL refused
  banned,
  client_id_invalid,
  server_busy,  // connection or session limits reached
  server_unavailable,
  quota_exceeded,  // rate limits, queue or inflight limits
  topic_name_invalid,
  topic_filter_invalid,
  packet_too_large,
  session_taken_over,
  keepalive_timeout,
  shared_subscriptions_not_supported,
  wildcard_subscriptions_not_supported,
  subscription_ids_not_supported,
  no_subscription_existed,
  packet_id_in_use,
  packet_id_not_found,
  administrative_action,  // kicked through the management API
  server_shutting_down,
};

std::string_view to_string(errc e) noexcept;
const std::error_category& broker_category() noexcept;
inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), broker_category()};
}

}  // namespace edgegw

template <>
struct std::is_error_code_enum<edgegw::errc> : std::true_type {};
