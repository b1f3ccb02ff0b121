// What a bridge reports about itself: read by $SYS now, by the HTTP API and metrics later.
// Counters are relaxed atomics; the strings are behind a mutex (they change rarely).
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace edgegw::bridge {

enum class link_state : uint8_t { connecting, connected, disconnected, stopped };

inline const char* to_string(link_state s) {
  switch (s) {
    case link_state::connecting:
      return "connecting";
    case link_state::connected:
      return "connected";
    case link_state::disconnected:
      return "disconnected";
    case link_state::stopped:
      return "stopped";
  }
  return "unknown";
}

// A snapshot, for readers.
struct bridge_status {
  std::string name;
  std::string server;
  link_state state = link_state::disconnected;
  std::string last_error;          // "" when none yet
  int64_t connected_since_ms = 0;  // unix ms of the current connection, 0 when down
  uint64_t connects = 0;           // successful connects since start
  uint64_t forwarded = 0;          // acknowledged (QoS 1/2) or sent (QoS 0) upstream
  uint64_t received = 0;           // from upstream, published locally
  uint64_t dropped = 0;            // spool overflow, expired, refused by the remote
  uint64_t spool_depth = 0;        // unacknowledged messages in the spool
  uint64_t spool_bytes = 0;
  int64_t spool_oldest_age_ms = 0;  // age of the oldest unacknowledged message, 0 if none
  uint64_t inflight = 0;            // sent on this connection, not yet acknowledged
};

// The live counters a link updates.
struct bridge_counters {
  std::atomic<uint64_t> connects{0};
  std::atomic<uint64_t> forwarded{0};
  std::atomic<uint64_t> received{0};
  std::atomic<uint64_t> dropped{0};  // besides the spool's own overflow count
  std::atomic<uint64_t> inflight{0};
  std::atomic<int64_t> connected_since_ms{0};
  std::atomic<link_state> state{link_state::disconnected};
  mutable std::mutex mu;
  std::string last_error;  // guarded by mu
};

}  // namespace edgegw::bridge
