// Settings of the CoAP gateway logic, read from [gateway.coap] by the service factory.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace edgegw::coap {

enum class notify_mode : uint8_t { non, con, qos };

struct gateway_settings {
  std::string mountpoint;  // template: ${clientid}, ${username}
  bool connection_required = false;
  notify_mode notify = notify_mode::qos;
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds heartbeat{30000};
  std::size_t max_clients = 1000;
  // New sessions (POST /mqtt/connection, or a connectionless client's first request) per
  // second, bursts of one second's worth; 0 = unlimited. Over it: 5.03 with Max-Age.
  double max_conn_rate = 0;
  std::size_t max_observers = 10000;
  std::size_t max_observers_per_client = 32;
  // Every this many consecutive NON notifications, one goes as CON so a vanished client
  // is noticed (RFC 7641 section 4.5).
  uint32_t con_probe_every = 20;
};

}  // namespace edgegw::coap
