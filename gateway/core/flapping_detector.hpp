// Flapping detection (EMQX's flapping_detect): a client id that connects more than
// max_count times within one window is flapping, and the broker bans it for a while.
// Each client id has a fixed window starting at its first counted connect; windows that
// have ended are purged once per window length, so memory holds only the client ids that
// connected within the last window.
// Owner: any thread; guarded by its own mutex (a leaf lock).
#pragma once
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace edgegw::core {

class flapping_detector {
 public:
  flapping_detector(uint32_t max_count, std::chrono::milliseconds window)
      : max_count_(max_count), window_ms_(window.count()) {}

  // Counts a connect of `client_id` at `now_ms`. True when it is connect number
  // max_count + 1 (or later) within the window: the client is flapping. Its count then
  // starts again, so it is reported once per window.
  bool connected(const std::string& client_id, int64_t now_ms);
  // Client ids currently counted (for tests and metrics).
  std::size_t tracked() const;

 private:
  struct count_window {
    int64_t start_ms = 0;
    uint32_t count = 0;
  };
  void purge_locked(int64_t now_ms);

  uint32_t max_count_;
  int64_t window_ms_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, count_window> clients_;
  int64_t next_purge_ms_ = 0;
};

}  // namespace edgegw::core
