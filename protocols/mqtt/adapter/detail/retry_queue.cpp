// Outbound resend bookkeeping; see retry_queue.hpp.
#include "protocols/mqtt/adapter/detail/retry_queue.hpp"

namespace edgegw::mqtt::detail {

void retry_queue::sent(const delivery& d, time_point now) {
  record& r = inflight_[d.id];
  r.d = d;
  r.sent_at = now;
  r.seq = ++seq_;
  order_.emplace_back(d.id, r.seq);
  drop_stale_front();
}

void retry_queue::released(uint16_t id, time_point now) {
  auto it = inflight_.find(id);
  if (it == inflight_.end()) return;
  record& r = it->second;
  r.d.pubrel = true;
  r.d.dup = false;
  r.sent_at = now;
  r.seq = ++seq_;
  order_.emplace_back(id, r.seq);
  drop_stale_front();
}

void retry_queue::completed(uint16_t id) {
  inflight_.erase(id);
  drop_stale_front();
}

std::optional<retry_queue::time_point> retry_queue::next_due(
    std::chrono::milliseconds interval) const {
  // The front is kept valid by every mutator (drop_stale_front).
  if (order_.empty()) return std::nullopt;
  auto it = inflight_.find(order_.front().first);
  if (it == inflight_.end()) return std::nullopt;
  return it->second.sent_at + interval;
}

void retry_queue::clear() {
  inflight_.clear();
  order_.clear();
}

void retry_queue::drop_stale_front() {
  while (!order_.empty()) {
    auto it = inflight_.find(order_.front().first);
    if (it != inflight_.end() && it->second.seq == order_.front().second) break;
    order_.pop_front();
  }
}

}  // namespace edgegw::mqtt::detail
