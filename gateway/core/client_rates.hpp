// Per-client message and byte rate limits (limits.max_message_rate, limits.max_byte_rate):
// two token buckets per client id, each saving up at most one second of its rate. A
// publisher that can be paused (TCP: its socket is not read) is charged and told how long
// to pause; one that cannot (UDP) is refused while it owes tokens. Buckets of idle clients
// (refilled to the full burst) are dropped, so memory follows the active publishers. A
// client's debt outlives its connection: reconnecting does not buy a fresh burst.
// Owner: any thread; guarded by its own mutex (a leaf lock).
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "gateway/net/token_bucket.hpp"

namespace edgegw::core {

class client_rates {
 public:
  using clock = net::token_bucket::clock;

  // Rates per second; 0 = no limit of that kind.
  client_rates(double messages_per_s, double bytes_per_s)
      : msg_rate_(messages_per_s), byte_rate_(bytes_per_s) {}

  bool enabled() const noexcept { return msg_rate_ > 0 || byte_rate_ > 0; }

  // A message of `bytes` from `client_id`. may_wait: charge it and return how long the
  // client should pause before its next one (zero: within its rates). Otherwise nullopt
  // (refused, nothing charged) while the client owes tokens, else charged as above.
  std::optional<std::chrono::nanoseconds> admit(const std::string& client_id, std::size_t bytes,
                                                bool may_wait, clock::time_point now);
  std::size_t tracked() const;

 private:
  struct buckets {
    net::token_bucket msgs;
    net::token_bucket bytes;
  };
  void purge_locked(clock::time_point now);

  double msg_rate_;
  double byte_rate_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, buckets> clients_;
  std::size_t purge_at_ = 1024;  // sweep idle buckets when the map grows past this
};

}  // namespace edgegw::core
