// What one STOMP connection needs to know from [gateway.stomp] (built once, shared by
// every connection as shared_ptr<const settings>).
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "protocols/stomp/adapter/stats.hpp"
#include "protocols/stomp/codec/codec.hpp"

namespace edgegw::stomp {

struct settings {
  limits frame_limits;  // max_frame_size, max_headers, max_header_length, max_body
  std::string listener = "stomp";
  std::string mountpoint;         // template handed to authenticate (the core resolves it)
  std::string server = "edgegw";  // CONNECTED server header
  uint8_t send_qos = 0;           // QoS of the MQTT message a SEND publishes
  // Heart-beating (1.1+): we send at most this often (the client may ask for slower) and
  // ask the client to send this often; 0 disables either direction. A client silent for
  // heartbeat_grace times its negotiated interval is dropped.
  std::chrono::milliseconds heartbeat_send{10000};
  std::chrono::milliseconds heartbeat_receive{10000};
  std::chrono::milliseconds heartbeat_floor{1000};  // shortest interval a client may ask for
  unsigned heartbeat_grace = 2;
  std::chrono::milliseconds connect_timeout{10000};  // accept to CONNECT
  std::chrono::milliseconds close_linger{2000};      // wait for the peer's FIN after ERROR
  uint16_t max_unacked = 64;  // client/client-individual messages awaiting ACK
  std::size_t max_subscriptions = 100;
  std::size_t max_transactions = 16;
  std::size_t max_transaction_frames = 1000;
  uint32_t max_redeliveries = 5;             // NACKs of one message before it is dropped
  std::size_t write_high_water = 64 * 1024;  // stop pulling deliveries above this
  std::size_t pull_batch = 32;
  std::size_t read_buffer_size = 4096;
  // The gateway's message counters (the service's; null in tests that do not count).
  std::shared_ptr<gateway_counters> counters;
};

}  // namespace edgegw::stomp
