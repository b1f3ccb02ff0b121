// MQTT-SN 1.2 messages as plain values, one struct per message type of the specification
// (section 5.4), both directions, so the gateway, its tests and the fuzzer share them.
// Strings hold raw bytes (topic names, client ids, payloads); the codec checks lengths
// only, the gateway checks UTF-8 and topic rules.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace edgegw::mqttsn {

enum class msg_type : uint8_t {
  advertise = 0x00,
  searchgw = 0x01,
  gwinfo = 0x02,
  connect = 0x04,
  connack = 0x05,
  willtopicreq = 0x06,
  willtopic = 0x07,
  willmsgreq = 0x08,
  willmsg = 0x09,
  reg = 0x0A,  // REGISTER
  regack = 0x0B,
  publish = 0x0C,
  puback = 0x0D,
  pubcomp = 0x0E,
  pubrec = 0x0F,
  pubrel = 0x10,
  subscribe = 0x12,
  suback = 0x13,
  unsubscribe = 0x14,
  unsuback = 0x15,
  pingreq = 0x16,
  pingresp = 0x17,
  disconnect = 0x18,
  willtopicupd = 0x1A,
  willtopicresp = 0x1B,
  willmsgupd = 0x1C,
  willmsgresp = 0x1D,
  encapsulated = 0xFE,
};

// Return codes (section 5.3.10).
enum class return_code : uint8_t {
  accepted = 0x00,
  congestion = 0x01,
  invalid_topic_id = 0x02,
  not_supported = 0x03,
};

// TopicIdType of the Flags octet (section 5.3.4).
enum class topic_id_type : uint8_t { normal = 0, predefined = 1, short_name = 2, reserved = 3 };

// The Flags octet. qos is -1..2 (wire value 0b11 is QoS -1).
struct flags {
  bool dup = false;
  int8_t qos = 0;
  bool retain = false;
  bool will = false;
  bool clean_session = false;
  topic_id_type id_type = topic_id_type::normal;
  bool operator==(const flags&) const = default;
};
uint8_t encode_flags(const flags& f) noexcept;
flags decode_flags(uint8_t b) noexcept;

// A short topic name (two characters) travels in the TopicId field.
inline uint16_t short_topic_id(char a, char b) noexcept {
  return static_cast<uint16_t>((static_cast<uint8_t>(a) << 8) | static_cast<uint8_t>(b));
}
inline std::string short_topic_name(uint16_t id) {
  return std::string{static_cast<char>(id >> 8), static_cast<char>(id & 0xFF)};
}

struct advertise {
  uint8_t gw_id = 0;
  uint16_t duration = 0;  // seconds until the next ADVERTISE
  bool operator==(const advertise&) const = default;
};
struct searchgw {
  uint8_t radius = 0;
  bool operator==(const searchgw&) const = default;
};
struct gwinfo {
  uint8_t gw_id = 0;
  std::string gw_address;  // only when a client answers on a gateway's behalf
  bool operator==(const gwinfo&) const = default;
};
struct connect {
  flags f;  // will and clean_session are meaningful
  uint8_t protocol_id = 0x01;
  uint16_t duration = 0;  // keepalive, seconds
  std::string client_id;
  bool operator==(const connect&) const = default;
};
struct connack {
  return_code rc = return_code::accepted;
  bool operator==(const connack&) const = default;
};
struct willtopicreq {
  bool operator==(const willtopicreq&) const = default;
};
// Also WILLTOPICUPD (type). An empty message (no flags, no topic) deletes the will.
struct willtopic {
  msg_type type = msg_type::willtopic;  // willtopic or willtopicupd
  bool empty = false;
  flags f;  // qos and retain
  std::string topic;
  bool operator==(const willtopic&) const = default;
};
struct willmsgreq {
  bool operator==(const willmsgreq&) const = default;
};
// Also WILLMSGUPD (type).
struct willmsg {
  msg_type type = msg_type::willmsg;  // willmsg or willmsgupd
  std::string msg;
  bool operator==(const willmsg&) const = default;
};
struct reg {
  uint16_t topic_id = 0;  // 0 from a client; the assigned id from the gateway
  uint16_t msg_id = 0;
  std::string topic_name;
  bool operator==(const reg&) const = default;
};
struct regack {
  uint16_t topic_id = 0;
  uint16_t msg_id = 0;
  return_code rc = return_code::accepted;
  bool operator==(const regack&) const = default;
};
struct publish {
  flags f;  // dup, qos, retain, id_type
  uint16_t topic_id = 0;
  uint16_t msg_id = 0;
  std::string data;
  bool operator==(const publish&) const = default;
};
struct puback {
  uint16_t topic_id = 0;
  uint16_t msg_id = 0;
  return_code rc = return_code::accepted;
  bool operator==(const puback&) const = default;
};
// PUBREC, PUBREL, PUBCOMP and UNSUBACK: a message id alone.
struct msg_id_only {
  msg_type type = msg_type::pubrec;
  uint16_t msg_id = 0;
  bool operator==(const msg_id_only&) const = default;
};
// Also UNSUBSCRIBE (type). With id_type normal the topic is `topic_name`; with predefined
// or short_name it is `topic_id`.
struct subscribe {
  msg_type type = msg_type::subscribe;  // subscribe or unsubscribe
  flags f;                              // dup, qos (SUBSCRIBE), id_type
  uint16_t msg_id = 0;
  std::string topic_name;
  uint16_t topic_id = 0;
  bool operator==(const subscribe&) const = default;
};
struct suback {
  flags f;  // qos granted
  uint16_t topic_id = 0;
  uint16_t msg_id = 0;
  return_code rc = return_code::accepted;
  bool operator==(const suback&) const = default;
};
struct pingreq {
  std::string client_id;  // empty: none (a sleeping client waking up names itself)
  bool operator==(const pingreq&) const = default;
};
struct pingresp {
  bool operator==(const pingresp&) const = default;
};
struct disconnect {
  std::optional<uint16_t> duration;  // sleep duration, seconds
  bool operator==(const disconnect&) const = default;
};
// WILLTOPICRESP / WILLMSGRESP.
struct will_resp {
  msg_type type = msg_type::willtopicresp;
  return_code rc = return_code::accepted;
  bool operator==(const will_resp&) const = default;
};
// A message relayed by a forwarder (section 5.5): the forwarder's control octet and the
// wireless node id of the client, then the client's own MQTT-SN message, kept as bytes.
struct encapsulated {
  uint8_t ctrl = 0;  // bits 0-1: broadcast radius
  std::string node_id;
  std::string inner;  // one complete MQTT-SN message
  bool operator==(const encapsulated&) const = default;
};

using packet =
    std::variant<advertise, searchgw, gwinfo, connect, connack, willtopicreq, willtopic, willmsgreq,
                 willmsg, reg, regack, publish, puback, msg_id_only, subscribe, suback, pingreq,
                 pingresp, disconnect, will_resp, encapsulated>;

// The wire type of a packet value.
msg_type type_of(const packet& p) noexcept;

}  // namespace edgegw::mqttsn
