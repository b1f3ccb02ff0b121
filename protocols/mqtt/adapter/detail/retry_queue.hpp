// Outbound QoS 1/2 packets waiting for the client's acknowledgement, in the order they
// were (re)sent, so a v3.1 / 3.1.1 connection can resend the oldest after retry_interval
// while still connected (MQTT 5 allows resends only on reconnect, which the core handles).
// Acknowledged entries leave the map at once and the order deque lazily (each deque entry
// carries the sequence number of the send it stands for).
// Owner: the connection's channel (its executor); not thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <boost/container/deque.hpp>
#include <optional>
#include <unordered_map>

#include "gateway/api/broker.hpp"

namespace edgegw::mqtt::detail {

class retry_queue {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // A PUBLISH (QoS > 0) or, for d.pubrel, a PUBREL was just written.
  void sent(const delivery& d, time_point now);
  // The client sent PUBREC for `id`: from now on the resend is a PUBREL.
  void released(uint16_t id, time_point now);
  // PUBACK, PUBCOMP, or a PUBREC refusing the message: nothing more to resend.
  void completed(uint16_t id);
  // When the oldest entry becomes due, if any.
  std::optional<time_point> next_due(std::chrono::milliseconds interval) const;
  // Calls resend(const delivery&) for every entry due at `now` (dup set on PUBLISH), oldest
  // first, and marks them sent at `now`. `interval` must be > 0.
  template <class F>
  void resend_due(time_point now, std::chrono::milliseconds interval, F&& resend) {
    while (!order_.empty()) {
      auto [id, seq] = order_.front();
      auto it = inflight_.find(id);
      if (it == inflight_.end() || it->second.seq != seq) {
        order_.pop_front();
        continue;
      }
      if (it->second.sent_at + interval > now) break;
      order_.pop_front();
      record& r = it->second;
      r.sent_at = now;
      r.seq = ++seq_;
      order_.emplace_back(id, r.seq);
      if (!r.d.pubrel) r.d.dup = true;
      resend(static_cast<const delivery&>(r.d));
    }
  }
  void clear();
  std::size_t size() const noexcept { return inflight_.size(); }

 private:
  struct record {
    delivery d;
    time_point sent_at;
    uint64_t seq = 0;
  };
  void drop_stale_front();

  std::unordered_map<uint16_t, record> inflight_;
  boost::container::deque<std::pair<uint16_t, uint64_t>> order_;  // allocates only when used
  uint64_t seq_ = 0;
};

}  // namespace edgegw::mqtt::detail
