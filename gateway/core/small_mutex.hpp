// A 4-byte mutex for objects that exist by the thousand (one per session), where
// std::mutex takes 40 bytes on glibc. Uncontended, lock and unlock are one atomic operation
// each; a contended locker sleeps in the kernel (C++20 atomic wait, a futex on Linux) as
// it would in std::mutex. States: 0 free, 1 locked, 2 locked and someone may be waiting
// (the classic three-state futex mutex, so an uncontended unlock makes no system call).
#pragma once
#include <atomic>

namespace edgegw::core {

class small_mutex {
 public:
  small_mutex() = default;
  small_mutex(const small_mutex&) = delete;
  small_mutex& operator=(const small_mutex&) = delete;

  void lock() noexcept {
    int c = 0;
    if (state_.compare_exchange_strong(c, 1, std::memory_order_acquire)) return;
    if (c != 2) c = state_.exchange(2, std::memory_order_acquire);
    while (c != 0) {
      state_.wait(2, std::memory_order_relaxed);
      c = state_.exchange(2, std::memory_order_acquire);
    }
  }
  bool try_lock() noexcept {
    int c = 0;
    return state_.compare_exchange_strong(c, 1, std::memory_order_acquire);
  }
  void unlock() noexcept {
    if (state_.exchange(0, std::memory_order_release) == 2) state_.notify_one();
  }

 private:
  std::atomic<int> state_{0};
};

}  // namespace edgegw::core
