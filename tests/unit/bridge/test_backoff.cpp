#include <gtest/gtest.h>

#include "bridge/backoff.hpp"

using namespace edgegw::bridge;
using namespace std::chrono_literals;

TEST(backoff, doubles_from_min_to_max_with_jitter_in_upper_half) {
  backoff b(1000ms, 10000ms);
  // draw = 1: the whole step; draw = 0: half of it (never below min).
  EXPECT_EQ(b.next(1.0), 1000ms);
  EXPECT_EQ(b.next(1.0), 2000ms);
  EXPECT_EQ(b.next(0.0), 2000ms);  // step 4000, half
  EXPECT_EQ(b.next(1.0), 8000ms);
  EXPECT_EQ(b.next(1.0), 10000ms);  // capped
  EXPECT_EQ(b.next(0.0), 5000ms);
  EXPECT_EQ(b.failures(), 6u);
  for (int i = 0; i < 100; ++i) {
    auto w = b.next(0.5);
    EXPECT_GE(w, 1000ms);
    EXPECT_LE(w, 10000ms);
  }
}

TEST(backoff, never_below_min_and_reset_starts_over) {
  backoff b(1000ms, 60000ms);
  EXPECT_EQ(b.next(0.0), 1000ms);  // half of the first step would be 500
  b.next(1.0);
  b.next(1.0);
  b.reset();
  EXPECT_EQ(b.failures(), 0u);
  EXPECT_EQ(b.next(1.0), 1000ms);
}

TEST(backoff, many_failures_do_not_overflow) {
  backoff b(3600000ms, 86400000ms);
  for (int i = 0; i < 200; ++i) {
    auto w = b.next(1.0);
    EXPECT_LE(w, 86400000ms);
    EXPECT_GE(w, 3600000ms);
  }
}

TEST(backoff, max_below_min_is_min) {
  backoff b(5000ms, 1000ms);
  EXPECT_EQ(b.next(1.0), 5000ms);
  EXPECT_EQ(b.next(1.0), 5000ms);
}
