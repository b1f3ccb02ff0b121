// A token bucket (rate limits: connections per listener, messages and bytes per client).
// Time is passed in, so it is pure and unit-testable. The balance may go negative (debt):
// work already done (a packet already read, a socket already accepted) is always paid
// for, and the caller waits until_credit() before the next one. Over any interval T the
// amount taken is thus at most burst + rate x T plus one last item.
// Owner: whoever holds it; not thread-safe.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>

namespace edgegw::net {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;

  token_bucket() = default;  // unlimited
  // rate: tokens per second (<= 0: unlimited); burst: most tokens saved up (at least 1).
  token_bucket(double rate, double burst, clock::time_point now)
      : rate_(rate), burst_(std::max(burst, 1.0)), tokens_(burst_), last_(now) {}

  bool limited() const noexcept { return rate_ > 0; }
  double rate() const noexcept { return rate_; }
  double burst() const noexcept { return burst_; }

  // Tokens now (after refilling up to `now`); may be negative.
  double tokens(clock::time_point now) {
    refill(now);
    return tokens_;
  }
  // A balance of zero or more: the next item may go.
  bool has_credit(clock::time_point now) { return !limited() || tokens(now) >= 0; }
  // Take `n` tokens, into debt if need be.
  void consume(double n, clock::time_point now) {
    if (!limited()) return;
    refill(now);
    tokens_ -= n;
  }
  // How long until has_credit() (zero when it has already); rounded up, so waiting exactly
  // this long is enough.
  std::chrono::nanoseconds until_credit(clock::time_point now) {
    if (!limited() || tokens(now) >= 0) return std::chrono::nanoseconds(0);
    const double ns = std::ceil(-tokens_ / rate_ * 1e9);
    return std::chrono::nanoseconds(static_cast<int64_t>(ns) + 1);
  }
  // Saved up to the burst again: nothing of the past is owed (idle entries can be dropped).
  bool full(clock::time_point now) const { return !limited() || refilled(now) >= burst_; }

 private:
  double refilled(clock::time_point now) const {
    if (now <= last_) return tokens_;
    const double secs = std::chrono::duration<double>(now - last_).count();
    return std::min(burst_, tokens_ + secs * rate_);
  }
  void refill(clock::time_point now) {
    tokens_ = refilled(now);
    last_ = std::max(last_, now);
  }

  double rate_ = 0;
  double burst_ = 1;
  double tokens_ = 1;
  clock::time_point last_{};
};

}  // namespace edgegw::net
