// The one message type that flows through the broker, whatever protocol carried it in or
// out. Immutable once published and shared by every queue it sits in
// (shared_ptr<const message>), so fan-out to N subscribers copies no payload.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgegw {

struct user_property {
  std::string key;
  std::string value;
  bool operator==(const user_property&) const = default;
};

// Wall-clock milliseconds since the Unix epoch: used for anything that must survive a
// restart (message expiry, session expiry), unlike steady_clock.
int64_t unix_ms_now() noexcept;

struct message {
  std::string topic;    // full broker topic (mountpoint already applied)
  std::string payload;  // opaque bytes
  uint8_t qos = 0;      // QoS the publisher used
  bool retain = false;  // retain flag as published

  // MQTT 5 properties passed through unchanged (other protocols may set them too, e.g.
  // CoAP's content format travels as a user property).
  std::optional<uint8_t> payload_format;
  std::optional<std::string> content_type;
  std::optional<std::string> response_topic;
  std::optional<std::string> correlation_data;
  std::vector<user_property> user_properties;

  // Absolute expiry in unix ms (0 = never); set from the v5 Message Expiry Interval.
  int64_t expire_at_ms = 0;

  // Who published it: used for no-local and to keep the bridge from looping messages.
  std::string from_client;
  std::string from_protocol;

  // Remaining expiry in whole seconds at `now_ms`, as v5 wants it re-sent; nullopt when the
  // message never expires. 0 means expired.
  std::optional<uint32_t> expiry_remaining(int64_t now_ms) const noexcept {
    if (expire_at_ms == 0) return std::nullopt;
    if (now_ms >= expire_at_ms) return 0u;
    return static_cast<uint32_t>((expire_at_ms - now_ms + 999) / 1000);
  }
  bool expired(int64_t now_ms) const noexcept {
    return expire_at_ms != 0 && now_ms >= expire_at_ms;
  }
};

using message_ptr = std::shared_ptr<const message>;

inline message_ptr make_message(message m) {
  return std::make_shared<const message>(std::move(m));
}

}  // namespace edgegw
