// Settings of the MQTT-SN gateway, as the factory fills them from [gateway.mqttsn] (and
// node.name / node.sys_interval for $SYS). A plain value shared read-only by the gateway
// and every client state machine.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace edgegw::mqttsn {

struct settings {
  std::string listener = "mqttsn";  // credentials.listener and logs
  std::string mountpoint;           // template handed to authenticate
  uint8_t gateway_id = 1;
  // Predefined topics shared by all clients: id (1..1024) -> topic name, and the reverse.
  std::map<uint16_t, std::string> predefined;
  std::map<std::string, uint16_t, std::less<>> predefined_ids;

  // Tretry / Nretry (MQTT-SN 1.2 section 6.13): unacknowledged PUBLISH, PUBREL and
  // REGISTER are sent again after retry_interval, at most max_retries times; then the
  // client is considered lost (its will fires).
  std::chrono::milliseconds retry_interval{10000};
  unsigned max_retries = 5;
  // A CONNECT with the will flag must finish the will handshake within this time.
  std::chrono::milliseconds connect_timeout{30000};
  // A client silent for keepalive x this, or asleep for its sleep duration x this, is lost.
  double keepalive_multiplier = 1.5;
  // Session expiry for CleanSession=false (seconds); CleanSession=true ends with the client.
  uint32_t session_expiry = 7200;

  std::size_t max_clients = 1000;           // client states (active, asleep, connecting)
  std::size_t max_registered_topics = 256;  // topic ids per client (both directions)
  std::size_t max_sleep_buffer = 100;       // messages held for one sleeping client
  uint16_t max_inflight = 1;                // our QoS 1/2 PUBLISH to one client unacked
  std::size_t max_datagram = 65535;         // bytes; larger datagrams are malformed
};

}  // namespace edgegw::mqttsn
