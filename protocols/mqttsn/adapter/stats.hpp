// Counters of the MQTT-SN gateway: published in $SYS by the service and kept for the HTTP
// API. Relaxed atomics: written on the gateway's executor, read from anywhere.
#pragma once
#include <atomic>
#include <cstdint>

namespace edgegw::mqttsn {

struct gateway_stats {
  std::atomic<int64_t> clients = 0;         // client states of any kind
  std::atomic<int64_t> clients_active = 0;  // connected and awake
  std::atomic<int64_t> clients_asleep = 0;
  std::atomic<uint64_t> connects = 0;  // CONNACK accepted
  std::atomic<uint64_t> connects_refused = 0;
  std::atomic<uint64_t> takeovers = 0;     // a client id reconnected from a new address
  std::atomic<uint64_t> clients_lost = 0;  // keepalive, sleep or retries ran out
  std::atomic<uint64_t> datagrams_received = 0;
  std::atomic<uint64_t> datagrams_sent = 0;
  std::atomic<uint64_t> bytes_received = 0;
  std::atomic<uint64_t> bytes_sent = 0;
  std::atomic<uint64_t> malformed = 0;          // datagrams dropped as malformed
  std::atomic<uint64_t> unknown_client = 0;     // messages from an address with no client
  std::atomic<uint64_t> messages_received = 0;  // PUBLISH routed into the broker
  std::atomic<uint64_t> messages_qos_m1 = 0;    // of which QoS -1
  std::atomic<uint64_t> messages_sent = 0;      // PUBLISH sent to clients (not resends)
  std::atomic<uint64_t> messages_dropped = 0;   // sleep buffer full, topic refused, ...
  std::atomic<uint64_t> messages_rejected = 0;  // PUBLISH answered with an error code
  std::atomic<uint64_t> retransmissions = 0;
  std::atomic<uint64_t> duplicates = 0;  // resent PUBLISH not routed twice
  std::atomic<uint64_t> registrations = 0;
};

}  // namespace edgegw::mqttsn
