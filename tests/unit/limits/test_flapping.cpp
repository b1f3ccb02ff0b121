// core::flapping_detector: max_count connects per window pass, the next one flags; windows
// end and old ones are purged.
#include <gtest/gtest.h>

#include "gateway/core/flapping_detector.hpp"

namespace {

using edgegw::core::flapping_detector;
using namespace std::chrono_literals;

TEST(Flapping, MoreThanMaxCountWithinTheWindowFlags) {
  flapping_detector d(3, 1000ms);
  EXPECT_FALSE(d.connected("c", 0));
  EXPECT_FALSE(d.connected("c", 100));
  EXPECT_FALSE(d.connected("c", 200));
  EXPECT_TRUE(d.connected("c", 300));
  // Counting starts again after a report.
  EXPECT_FALSE(d.connected("c", 310));
}

TEST(Flapping, ClientsAreCountedApart) {
  flapping_detector d(2, 1000ms);
  EXPECT_FALSE(d.connected("a", 0));
  EXPECT_FALSE(d.connected("b", 0));
  EXPECT_FALSE(d.connected("a", 1));
  EXPECT_FALSE(d.connected("b", 1));
  EXPECT_TRUE(d.connected("a", 2));
  EXPECT_TRUE(d.connected("b", 2));
}

TEST(Flapping, ConnectsSpreadOverWindowsNeverFlag) {
  flapping_detector d(3, 1000ms);
  for (int64_t t = 0; t < 20'000; t += 400) EXPECT_FALSE(d.connected("slow", t)) << t;
}

TEST(Flapping, NewWindowStartsAfterTheOldEnds) {
  flapping_detector d(2, 1000ms);
  EXPECT_FALSE(d.connected("c", 0));
  EXPECT_FALSE(d.connected("c", 999));
  EXPECT_FALSE(d.connected("c", 1000));  // a new window: count 1
  EXPECT_FALSE(d.connected("c", 1500));
  EXPECT_TRUE(d.connected("c", 1900));
}

TEST(Flapping, EndedWindowsArePurged) {
  flapping_detector d(5, 1000ms);
  for (int i = 0; i < 1000; ++i) d.connected("c" + std::to_string(i), 0);
  EXPECT_EQ(d.tracked(), 1000u);
  d.connected("late", 5000);
  EXPECT_EQ(d.tracked(), 1u);
}

}  // namespace
