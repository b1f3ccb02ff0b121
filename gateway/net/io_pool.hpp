// The I/O threads: one io_context per thread (STYLE.md option B). Connections are pinned to
// one context for life, so a connection's state needs no lock; the core broker is shared
// and does its own locking. Context 0 also runs the core's timers and signal handling.
#pragma once
#include <memory>
#include <thread>
#include <vector>

#include "gateway/api/asio.hpp"

namespace edgegw::net {

class io_pool {
 public:
  explicit io_pool(std::size_t threads);  // 0 = one per core
  ~io_pool();
  io_pool(const io_pool&) = delete;
  io_pool& operator=(const io_pool&) = delete;

  boost::asio::io_context& main() { return *contexts_[0]; }
  // Round-robin choice for a new connection.
  boost::asio::io_context& next();
  std::size_t size() const { return contexts_.size(); }

  // Runs context 0 on the calling thread and the others on their own threads; returns when
  // stop() was called and every thread finished.
  void run();
  void stop();

 private:
  using guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<guard> guards_;
  std::vector<std::thread> threads_;
  std::size_t next_ = 0;
};

}  // namespace edgegw::net
