// MQTT 3.1 / 3.1.1 / 5.0 control packets as plain values: what the codec decodes bytes into
// and encodes from. One struct per packet type; v5 properties live in `properties` with
// one optional field per property (absent = not on the wire). No I/O, no Asio.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace edgegw::mqtt {

// Protocol level byte of CONNECT: 3 = MQTT 3.1 ("MQIsdp"), 4 = 3.1.1, 5 = 5.0.
enum class version : uint8_t { v31 = 3, v311 = 4, v5 = 5 };

enum class packet_type : uint8_t {
  connect = 1,
  connack,
  publish,
  puback,
  pubrec,
  pubrel,
  pubcomp,
  subscribe,
  suback,
  unsubscribe,
  unsuback,
  pingreq,
  pingresp,
  disconnect,
  auth
};

// Every MQTT 5 property (section 2.2.2.2). Which ones a packet may carry is checked by the
// decoder (a property on the wrong packet is malformed, reason 0x81 / protocol error 0x82).
struct properties {
  std::optional<uint8_t> payload_format_indicator;        // 0x01
  std::optional<uint32_t> message_expiry_interval;        // 0x02
  std::optional<std::string> content_type;                // 0x03
  std::optional<std::string> response_topic;              // 0x08
  std::optional<std::string> correlation_data;            // 0x09 (binary)
  std::vector<uint32_t> subscription_identifiers;         // 0x0B (varint; several on PUBLISH)
  std::optional<uint32_t> session_expiry_interval;        // 0x11
  std::optional<std::string> assigned_client_identifier;  // 0x12
  std::optional<uint16_t> server_keep_alive;              // 0x13
  std::optional<std::string> authentication_method;       // 0x15
  std::optional<std::string> authentication_data;         // 0x16 (binary)
  std::optional<uint8_t> request_problem_information;     // 0x17
  std::optional<uint32_t> will_delay_interval;            // 0x18
  std::optional<uint8_t> request_response_information;    // 0x19
  std::optional<std::string> response_information;        // 0x1A
  std::optional<std::string> server_reference;            // 0x1C
  std::optional<std::string> reason_string;               // 0x1F
  std::optional<uint16_t> receive_maximum;                // 0x21
  std::optional<uint16_t> topic_alias_maximum;            // 0x22
  std::optional<uint16_t> topic_alias;                    // 0x23
  std::optional<uint8_t> maximum_qos;                     // 0x24
  std::optional<uint8_t> retain_available;                // 0x25
  std::vector<std::pair<std::string, std::string>> user_properties;  // 0x26, order kept
  std::optional<uint32_t> maximum_packet_size;                       // 0x27
  std::optional<uint8_t> wildcard_subscription_available;            // 0x28
  std::optional<uint8_t> subscription_identifier_available;          // 0x29
  std::optional<uint8_t> shared_subscription_available;              // 0x2A

  bool operator==(const properties&) const = default;
};

struct will {
  std::string topic;
  std::string payload;  // binary
  uint8_t qos = 0;
  bool retain = false;
  properties props;  // v5 will properties
  bool operator==(const will&) const = default;
};

struct connect {
  version ver = version::v311;
  std::string protocol_name = "MQTT";  // "MQIsdp" for 3.1
  bool clean_start = true;
  uint16_t keep_alive = 0;
  std::string client_id;
  std::optional<will> will_msg;
  std::optional<std::string> username;
  std::optional<std::string> password;  // binary
  properties props;
  bool operator==(const connect&) const = default;
};

struct connack {
  bool session_present = false;
  uint8_t reason_code = 0;  // v3: return code 0..5; v5: reason code
  properties props;
  bool operator==(const connack&) const = default;
};

struct publish {
  bool dup = false;
  uint8_t qos = 0;
  bool retain = false;
  std::string topic;       // may be empty in v5 when a topic alias is used
  uint16_t packet_id = 0;  // QoS > 0 only
  properties props;
  std::string payload;
  bool operator==(const publish&) const = default;
};

// PUBACK, PUBREC, PUBREL, PUBCOMP share one shape.
struct pub_response {
  packet_type type = packet_type::puback;
  uint16_t packet_id = 0;
  uint8_t reason_code = 0;
  properties props;
  bool operator==(const pub_response&) const = default;
};

struct subscribe_entry {
  std::string filter;
  uint8_t qos = 0;
  bool no_local = false;
  bool retain_as_published = false;
  uint8_t retain_handling = 0;
  bool operator==(const subscribe_entry&) const = default;
};

struct subscribe {
  uint16_t packet_id = 0;
  properties props;
  std::vector<subscribe_entry> entries;
  bool operator==(const subscribe&) const = default;
};

struct suback {
  uint16_t packet_id = 0;
  properties props;
  std::vector<uint8_t> reason_codes;  // v3: granted QoS or 0x80
  bool operator==(const suback&) const = default;
};

struct unsubscribe {
  uint16_t packet_id = 0;
  properties props;
  std::vector<std::string> filters;
  bool operator==(const unsubscribe&) const = default;
};

struct unsuback {
  uint16_t packet_id = 0;
  properties props;
  std::vector<uint8_t> reason_codes;  // v5 only; empty for v3
  bool operator==(const unsuback&) const = default;
};

struct pingreq {
  bool operator==(const pingreq&) const = default;
};
struct pingresp {
  bool operator==(const pingresp&) const = default;
};

struct disconnect {
  uint8_t reason_code = 0;
  properties props;
  bool operator==(const disconnect&) const = default;
};

struct auth {
  uint8_t reason_code = 0;
  properties props;
  bool operator==(const auth&) const = default;
};

using packet = std::variant<connect, connack, publish, pub_response, subscribe, suback, unsubscribe,
                            unsuback, pingreq, pingresp, disconnect, auth>;

}  // namespace edgegw::mqtt
