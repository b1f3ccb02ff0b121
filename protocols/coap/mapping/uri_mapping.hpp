// What a CoAP request's Uri-Path and Uri-Query options mean to the gateway, EMQX style:
//   /ps/{topic...}        publish (POST/PUT), subscribe (GET+Observe), read retained (GET)
//   /mqtt/connection      connection mode: POST connect, PUT heartbeat, DELETE close
//   /mqtt/{topic...}      EMQX 4.x: PUT publishes, GET+Observe subscribes
// and the query parameters clientid|c, username|u, password|p, token|t, qos|q, retain|r,
// expiry. Pure functions over option values (libcoap owns the wire parser), so unit tests
// and the fuzzer use them without sockets.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/message.hpp"

namespace edgegw::coap {

// Decodes %XX escapes (a '#' arrives as %23 from clients that do not decode it themselves).
// nullopt for a '%' not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view s);

enum class route_kind : uint8_t { unknown, ps, connection, legacy_mqtt };

struct route {
  route_kind kind = route_kind::unknown;
  std::string topic;  // ps / legacy_mqtt: the segments joined by '/', decoded
};

// Maps Uri-Path segments. A ps/legacy route with no topic segment, or a bad escape, is
// route_kind::unknown with `*bad` set (answer 4.00); an unrelated path leaves `*bad` false
// (answer 4.04).
route map_path(std::span<const std::string> segments, bool* bad);

struct request_params {
  std::optional<std::string> clientid;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> token;
  std::optional<uint8_t> qos;
  std::optional<bool> retain;
  std::optional<uint32_t> expiry;  // seconds (MQTT 5 Message Expiry Interval)
};

// Parses Uri-Query values ("name=value"). Unknown names are ignored, as EMQX does. Returns
// false with a short reason for a malformed value (qos=3, retain=maybe, a bad escape).
bool parse_query(std::span<const std::string> items, request_params& out, std::string* why);

// The MQTT 5 user property that carries the CoAP Content-Format (decimal) both ways.
inline constexpr std::string_view content_format_property = "content-format";

// Content-Format of a message published by anyone, from its user property.
std::optional<uint16_t> content_format_of(const message& m);

// Observe option value: 0 registers, 1 deregisters (RFC 7641).
enum class observe_action : uint8_t { none, register_, deregister };
observe_action observe_from(std::optional<uint32_t> option);

}  // namespace edgegw::coap
