// Receipt bookkeeping for one publisher's stream as seen by one subscriber: which sequence
// numbers arrived, how often and in what order. A run then reports duplicates, reordering and
// the missing messages and gaps (QoS 1 must have none). One byte per message sent; callers only
// pass sequence numbers that were really generated, so a corrupt stamp cannot make it grow.
#pragma once
#include <cstdint>
#include <vector>

namespace edgegw::bench {

class seq_tracker {
 public:
  struct summary {
    std::uint64_t unique = 0;     // distinct sequence numbers received
    std::uint64_t dups = 0;       // receipts of an already received number
    std::uint64_t reordered = 0;  // first receipts below the highest number seen so far
    std::uint64_t missing = 0;    // numbers in [0, sent) never received
    std::uint64_t gaps = 0;       // runs of consecutive missing numbers
  };

  void on_receive(std::uint64_t seq) {
    if (seq >= seen_.size()) seen_.resize(seq + 1, 0);  // geometric growth: amortised O(1)
    std::uint8_t& count = seen_[seq];
    if (count != 0) {
      ++dups_;
      return;
    }
    count = 1;
    ++unique_;
    if (seq < next_) {
      ++reordered_;
    } else {
      next_ = seq + 1;
    }
  }

  summary summarize(std::uint64_t sent) const {
    summary s{unique_, dups_, reordered_, 0, 0};
    bool in_gap = false;
    for (std::uint64_t i = 0; i < sent; ++i) {
      const bool got = i < seen_.size() && seen_[i] != 0;
      if (!got) {
        ++s.missing;
        if (!in_gap) ++s.gaps;
      }
      in_gap = !got;
    }
    return s;
  }

 private:
  std::vector<std::uint8_t> seen_;
  std::uint64_t next_ = 0;
  std::uint64_t unique_ = 0;
  std::uint64_t dups_ = 0;
  std::uint64_t reordered_ = 0;
};

}  // namespace edgegw::bench
