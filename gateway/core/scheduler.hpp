// Thread-safe one-shot timers for the core (will delay, session expiry, $delayed publishes,
// $SYS ticks). One asio::steady_timer on the core executor serves all of them, so callers
// on any thread can schedule or cancel without touching Asio objects they do not own.
// Owner: the core executor runs every callback; the mutex only guards the queue.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

#include "gateway/api/asio.hpp"

namespace edgegw::core {

class scheduler {
 public:
  using clock = std::chrono::steady_clock;
  using timer_id = uint64_t;

  explicit scheduler(boost::asio::any_io_executor ex);
  ~scheduler();
  scheduler(const scheduler&) = delete;
  scheduler& operator=(const scheduler&) = delete;

  // Run `fn` on the core executor at `when` (or soon after). Returns an id for cancel().
  timer_id schedule(clock::time_point when, std::function<void()> fn);
  timer_id schedule_after(std::chrono::milliseconds d, std::function<void()> fn) {
    return schedule(clock::now() + d, std::move(fn));
  }
  // True when the timer had not fired yet and now never will.
  bool cancel(timer_id id);
  // Drop everything pending and release the Asio timer (shutdown). Call on the core
  // executor's thread (or while it is not running), before the io_context is destroyed.
  void stop();
  std::size_t pending() const;

 private:
  void arm_locked();
  void on_timer();

  boost::asio::any_io_executor ex_;
  std::optional<boost::asio::steady_timer> timer_;
  mutable std::mutex mu_;
  std::multimap<clock::time_point, timer_id> by_time_;
  std::map<timer_id, std::pair<clock::time_point, std::function<void()>>> by_id_;
  timer_id next_id_ = 1;
  clock::time_point armed_for_ = clock::time_point::max();
  bool stopped_ = false;
};

}  // namespace edgegw::core
