// Reconnect delays: exponential back-off from `min` to `max` with "equal jitter" (half the
// step fixed, half random) so many gateways cut off together do not reconnect in lockstep.
#pragma once
#include <chrono>

namespace edgegw::bridge {

class backoff {
 public:
  using ms = std::chrono::milliseconds;
  backoff(ms min, ms max) : min_(min), max_(max < min ? min : max) {}
  // The wait before the next attempt; `draw` in [0, 1] is the random part. Each call
  // counts one more failure.
  ms next(double draw) {
    ms step = max_;
    if (failures_ < 40) {
      auto grown = min_.count() << failures_;  // cannot overflow: min <= 1 h, shift < 40
      if (grown < max_.count()) step = ms(grown);
    }
    ++failures_;
    if (draw < 0) draw = 0;
    if (draw > 1) draw = 1;
    auto half = step.count() / 2;
    ms wait(step.count() - half + static_cast<long long>(draw * static_cast<double>(half)));
    return wait < min_ ? min_ : wait;
  }
  // A connection stayed up long enough: start again from `min`.
  void reset() { failures_ = 0; }
  unsigned failures() const { return failures_; }

 private:
  ms min_, max_;
  unsigned failures_ = 0;
};

}  // namespace edgegw::bridge
