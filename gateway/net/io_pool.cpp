// See io_pool.hpp.
#include "io_pool.hpp"

#include <sched.h>

#include <algorithm>

namespace edgegw::net {

namespace {
// CPUs this process may run on (taskset, cgroups cpusets), not all the machine has.
std::size_t usable_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}
}  // namespace

io_pool::io_pool(std::size_t threads) {
  if (threads == 0) threads = usable_cpus();
  for (std::size_t i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio can skip
    // internal locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

io_pool::~io_pool() {
  stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

boost::asio::io_context& io_pool::next() {
  auto& c = *contexts_[next_];
  next_ = (next_ + 1) % contexts_.size();
  return c;
}

void io_pool::run() {
  for (std::size_t i = 1; i < contexts_.size(); ++i)
    threads_.emplace_back([c = contexts_[i].get()] { c->run(); });
  contexts_[0]->run();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void io_pool::stop() {
  guards_.clear();
  for (auto& c : contexts_) c->stop();
}

}  // namespace edgegw::net
