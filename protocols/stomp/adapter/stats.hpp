// Message counters of the STOMP gateway, shared by its connections (through settings) and
// read by the service's status() for the management API, metrics and $SYS. Relaxed atomics:
// written on the connections' executors, read from anywhere.
#pragma once
#include <atomic>
#include <cstdint>

namespace edgegw::stomp {

struct gateway_counters {
  std::atomic<uint64_t> received{0};  // SENDs published into the broker
  std::atomic<uint64_t> sent{0};      // broker deliveries written as MESSAGE frames
  std::atomic<uint64_t> dropped{0};   // messages given up after max_redeliveries NACKs
};

}  // namespace edgegw::stomp
