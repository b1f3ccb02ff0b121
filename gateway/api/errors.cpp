// Names for broker API outcomes, for logs and for adapters that send text (STOMP ERROR).
#include "errors.hpp"

#include <string>

namespace edgegw {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::ok:
      return "ok";
    case errc::unspecified:
      return "unspecified error";
    case errc::malformed:
      return "malformed packet";
    case errc::protocol_error:
      return "protocol error";
    case errc::bad_credentials:
      return "bad username or password";
    case errc::not_authorized:
      return "not authorized";
    case errc::banned:
      return "banned";
    case errc::client_id_invalid:
      return "client identifier not valid";
    case errc::server_busy:
      return "server busy";
    case errc::server_unavailable:
      return "server unavailable";
    case errc::quota_exceeded:
      return "quota exceeded";
    case errc::topic_name_invalid:
      return "topic name invalid";
    case errc::topic_filter_invalid:
      return "topic filter invalid";
    case errc::packet_too_large:
      return "packet too large";
    case errc::session_taken_over:
      return "session taken over";
    case errc::keepalive_timeout:
      return "keep alive timeout";
    case errc::shared_subscriptions_not_supported:
      return "shared subscriptions not supported";
    case errc::wildcard_subscriptions_not_supported:
      return "wildcard subscriptions not supported";
    case errc::subscription_ids_not_supported:
      return "subscription identifiers not supported";
    case errc::no_subscription_existed:
      return "no subscription existed";
    case errc::packet_id_in_use:
      return "packet identifier in use";
    case errc::packet_id_not_found:
      return "packet identifier not found";
    case errc::administrative_action:
      return "administrative action";
    case errc::server_shutting_down:
      return "server shutting down";
  }
  return "unknown error";
}

namespace {
class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "edgegw"; }
  std::string message(int v) const override { return std::string(to_string(static_cast<errc>(v))); }
};
}  // namespace

const std::error_category& broker_category() noexcept {
  static const category c;
  return c;
}

}  // namespace edgegw
