// See flapping_detector.hpp.
#include "flapping_detector.hpp"

namespace edgegw::core {

bool flapping_detector::connected(const std::string& client_id, int64_t now_ms) {
  std::lock_guard lk(mu_);
  purge_locked(now_ms);
  auto& w = clients_[client_id];
  if (w.count == 0 || now_ms - w.start_ms >= window_ms_) {
    w.start_ms = now_ms;
    w.count = 0;
  }
  if (++w.count <= max_count_) return false;
  clients_.erase(client_id);
  return true;
}

std::size_t flapping_detector::tracked() const {
  std::lock_guard lk(mu_);
  return clients_.size();
}

void flapping_detector::purge_locked(int64_t now_ms) {
  if (now_ms < next_purge_ms_) return;
  next_purge_ms_ = now_ms + window_ms_;
  std::erase_if(clients_,
                [&](const auto& kv) { return now_ms - kv.second.start_ms >= window_ms_; });
}

}  // namespace edgegw::core
