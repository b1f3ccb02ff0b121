// Wire codes for broker outcomes; see reason_map.hpp.
#include "protocols/mqtt/adapter/detail/reason_map.hpp"

#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt::detail {

uint8_t connack_reason(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return reason::success;
    case errc::malformed:
      return reason::malformed_packet;
    case errc::protocol_error:
      return reason::protocol_error;
    case errc::bad_credentials:
      return reason::bad_user_name_or_password;
    case errc::not_authorized:
      return reason::not_authorized;
    case errc::banned:
      return reason::banned;
    case errc::client_id_invalid:
      return reason::client_identifier_not_valid;
    case errc::server_busy:
      return reason::server_busy;
    case errc::server_unavailable:
      return reason::server_unavailable;
    case errc::quota_exceeded:
      return reason::quota_exceeded;
    case errc::topic_name_invalid:
      return reason::topic_name_invalid;
    case errc::packet_too_large:
      return reason::packet_too_large;
    case errc::server_shutting_down:
      return reason::server_unavailable;
    case errc::administrative_action:
      return reason::not_authorized;
    default:
      return reason::unspecified_error;
  }
}

std::optional<uint8_t> connack_v3_code(uint8_t v5) noexcept {
  switch (v5) {
    case reason::success:
      return connack_v3::accepted;
    case reason::malformed_packet:
    case reason::protocol_error:
      return std::nullopt;
    case reason::unsupported_protocol_version:
      return connack_v3::unacceptable_protocol_version;
    case reason::client_identifier_not_valid:
      return connack_v3::identifier_rejected;
    case reason::bad_user_name_or_password:
      return connack_v3::bad_user_name_or_password;
    case reason::not_authorized:
    case reason::banned:
    case reason::bad_authentication_method:
      return connack_v3::not_authorized;
    default:
      return connack_v3::server_unavailable;
  }
}

uint8_t puback_reason(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return reason::success;
    case errc::not_authorized:
      return reason::not_authorized;
    case errc::quota_exceeded:
      return reason::quota_exceeded;
    case errc::topic_name_invalid:
      return reason::topic_name_invalid;
    case errc::packet_id_in_use:
      return reason::packet_identifier_in_use;
    default:
      return reason::unspecified_error;
  }
}

uint8_t suback_reason(errc e) noexcept {
  switch (e) {
    case errc::not_authorized:
      return reason::not_authorized;
    case errc::topic_filter_invalid:
      return reason::topic_filter_invalid;
    case errc::quota_exceeded:
      return reason::quota_exceeded;
    case errc::packet_id_in_use:
      return reason::packet_identifier_in_use;
    case errc::shared_subscriptions_not_supported:
      return reason::shared_subscriptions_not_supported;
    case errc::subscription_ids_not_supported:
      return reason::subscription_identifiers_not_supported;
    case errc::wildcard_subscriptions_not_supported:
      return reason::wildcard_subscriptions_not_supported;
    default:
      return reason::unspecified_error;
  }
}

uint8_t unsuback_reason(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return reason::success;
    case errc::no_subscription_existed:
      return reason::no_subscription_existed;
    case errc::not_authorized:
      return reason::not_authorized;
    case errc::topic_filter_invalid:
      return reason::topic_filter_invalid;
    case errc::packet_id_in_use:
      return reason::packet_identifier_in_use;
    default:
      return reason::unspecified_error;
  }
}

uint8_t disconnect_reason(close_reason r) noexcept {
  switch (r) {
    case close_reason::normal:
    case close_reason::normal_with_will:
    case close_reason::connection_lost:
      return reason::normal_disconnection;
    case close_reason::keepalive_timeout:
      return reason::keep_alive_timeout;
    case close_reason::protocol_error:
      return reason::protocol_error;
    case close_reason::malformed:
      return reason::malformed_packet;
    case close_reason::taken_over:
      return reason::session_taken_over;
    case close_reason::kicked:
      return reason::administrative_action;
    case close_reason::server_shutdown:
      return reason::server_shutting_down;
    case close_reason::quota_exceeded:
      return reason::quota_exceeded;
    case close_reason::not_authorized:
      return reason::not_authorized;
  }
  return reason::unspecified_error;
}

std::string_view to_string(close_reason r) noexcept {
  switch (r) {
    case close_reason::normal:
      return "normal";
    case close_reason::normal_with_will:
      return "normal_with_will";
    case close_reason::connection_lost:
      return "connection_lost";
    case close_reason::keepalive_timeout:
      return "keepalive_timeout";
    case close_reason::protocol_error:
      return "protocol_error";
    case close_reason::malformed:
      return "malformed";
    case close_reason::taken_over:
      return "taken_over";
    case close_reason::kicked:
      return "kicked";
    case close_reason::server_shutdown:
      return "server_shutdown";
    case close_reason::quota_exceeded:
      return "quota_exceeded";
    case close_reason::not_authorized:
      return "not_authorized";
  }
  return "unknown";
}

errc to_errc(const std::error_code& ec) noexcept {
  if (!ec) return errc::ok;
  if (ec.category() != broker_category()) return errc::unspecified;
  return static_cast<errc>(ec.value());
}

}  // namespace edgegw::mqtt::detail
