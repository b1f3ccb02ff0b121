// See scheduler.hpp. The steady_timer is only touched on the core executor: schedule() posts
// a re-arm there when the new deadline is earlier than the armed one.
#include "scheduler.hpp"

#include <vector>

namespace edgegw::core {

scheduler::scheduler(boost::asio::any_io_executor ex) : ex_(ex) {
  timer_.emplace(ex);
}

scheduler::~scheduler() {
  stop();
}

scheduler::timer_id scheduler::schedule(clock::time_point when, std::function<void()> fn) {
  std::lock_guard lk(mu_);
  if (stopped_) return 0;
  timer_id id = next_id_++;
  by_time_.emplace(when, id);
  by_id_.emplace(id, std::make_pair(when, std::move(fn)));
  if (when < armed_for_) {
    armed_for_ = when;
    boost::asio::post(ex_, [this] {
      std::lock_guard lk2(mu_);
      arm_locked();
    });
  }
  return id;
}

bool scheduler::cancel(timer_id id) {
  std::lock_guard lk(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  auto range = by_time_.equal_range(it->second.first);
  for (auto t = range.first; t != range.second; ++t) {
    if (t->second == id) {
      by_time_.erase(t);
      break;
    }
  }
  by_id_.erase(it);
  return true;
}

void scheduler::stop() {
  std::lock_guard lk(mu_);
  stopped_ = true;
  by_time_.clear();
  by_id_.clear();
  timer_.reset();
}

std::size_t scheduler::pending() const {
  std::lock_guard lk(mu_);
  return by_id_.size();
}

// Called on the executor with mu_ held.
void scheduler::arm_locked() {
  if (by_time_.empty() || stopped_ || !timer_) {
    armed_for_ = clock::time_point::max();
    return;
  }
  armed_for_ = by_time_.begin()->first;
  timer_->expires_at(armed_for_);
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;
    on_timer();
  });
}

void scheduler::on_timer() {
  std::vector<std::function<void()>> due;
  {
    std::lock_guard lk(mu_);
    auto now = clock::now();
    while (!by_time_.empty() && by_time_.begin()->first <= now) {
      auto id = by_time_.begin()->second;
      by_time_.erase(by_time_.begin());
      auto it = by_id_.find(id);
      if (it != by_id_.end()) {
        due.push_back(std::move(it->second.second));
        by_id_.erase(it);
      }
    }
    arm_locked();
  }
  for (auto& fn : due) fn();
}

}  // namespace edgegw::core
