// Which spooled messages are on the wire to the remote broker and unacknowledged. The drain
// reads the spool after cursor() for up to room() entries; a (re)connect restarts from the
// oldest unacknowledged message. The limit is max_inflight, lowered to the remote's MQTT 5
// Receive Maximum. Used on the bridge's executor only.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>

namespace edgegw::bridge {

class inflight_window {
 public:
  explicit inflight_window(std::size_t max_inflight) : max_(max_inflight), limit_(max_inflight) {}

  // New connection: nothing is in flight any more, send everything unacknowledged again.
  // receive_maximum: the remote's (65535 when it sent none).
  void restart(std::size_t receive_maximum) {
    inflight_.clear();
    cursor_ = 0;
    limit_ = std::max<std::size_t>(1, std::min(max_, receive_maximum));
  }
  std::size_t room() const { return inflight_.size() >= limit_ ? 0 : limit_ - inflight_.size(); }
  uint64_t cursor() const { return cursor_; }
  std::size_t inflight() const { return inflight_.size(); }
  std::size_t limit() const { return limit_; }

  // Sent `seq` (read from the spool after cursor()).
  void sent(uint64_t seq) {
    inflight_.insert(seq);
    cursor_ = std::max(cursor_, seq);
  }
  // Sending `seq`, the last one sent, failed before it reached the wire: read it again.
  void unsent(uint64_t seq) {
    inflight_.erase(seq);
    if (seq > 0 && cursor_ >= seq) cursor_ = seq - 1;
  }
  // The remote acknowledged `seq`; false when it was not in flight on this connection
  // (a late ack from an earlier one), which is harmless.
  bool acked(uint64_t seq) { return inflight_.erase(seq) > 0; }

 private:
  std::size_t max_;
  std::size_t limit_;
  uint64_t cursor_ = 0;
  std::set<uint64_t> inflight_;
};

}  // namespace edgegw::bridge
