// net::token_bucket with a synthetic clock: burst, refill, debt and the wait it asks for.
#include <gtest/gtest.h>

#include "gateway/net/token_bucket.hpp"

namespace {

using edgegw::net::token_bucket;
using namespace std::chrono_literals;

const token_bucket::clock::time_point t0{std::chrono::seconds(1000)};

TEST(TokenBucket, UnlimitedNeverWaits) {
  token_bucket b;
  EXPECT_FALSE(b.limited());
  for (int i = 0; i < 1000; ++i) b.consume(1e6, t0);
  EXPECT_TRUE(b.has_credit(t0));
  EXPECT_EQ(b.until_credit(t0), 0ns);
  token_bucket zero(0, 5, t0);
  EXPECT_FALSE(zero.limited());
}

TEST(TokenBucket, BurstThenDebtThenWaitEndsIt) {
  token_bucket b(10, 10, t0);  // 10/s, burst 10
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(b.has_credit(t0)) << i;
    b.consume(1, t0);
  }
  EXPECT_DOUBLE_EQ(b.tokens(t0), 0);
  EXPECT_TRUE(b.has_credit(t0));  // a zero balance owes nothing
  b.consume(1, t0);               // into debt by one token
  EXPECT_FALSE(b.has_credit(t0));
  const auto wait = b.until_credit(t0);
  EXPECT_GE(wait, 100ms);
  EXPECT_LT(wait, 101ms);
  EXPECT_FALSE(b.has_credit(t0 + 99ms));
  EXPECT_TRUE(b.has_credit(t0 + wait));
}

TEST(TokenBucket, RefillStopsAtTheBurst) {
  token_bucket b(100, 5, t0);
  b.consume(5, t0);
  EXPECT_NEAR(b.tokens(t0 + 20ms), 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(b.tokens(t0 + 10s), 5.0);
  EXPECT_TRUE(b.full(t0 + 10s));
  b.consume(1, t0 + 10s);
  EXPECT_FALSE(b.full(t0 + 10s));
}

TEST(TokenBucket, LargeItemGoesIntoDebtAndWaitIsProportional) {
  token_bucket b(1000, 1000, t0);  // bytes: 1000/s
  b.consume(5000, t0);             // one 5000-byte message
  EXPECT_NEAR(b.tokens(t0), -4000, 1e-9);
  const auto wait = b.until_credit(t0);
  EXPECT_GE(wait, 4s);
  EXPECT_LT(wait, 4s + 1ms);
}

TEST(TokenBucket, TakenOverAnIntervalIsBoundedByBurstPlusRate) {
  // A greedy taker that takes whenever it has credit: over 2 s at 50/s with burst 50 it
  // gets at most 50 + 100 + 1.
  token_bucket b(50, 50, t0);
  int taken = 0;
  for (auto t = t0; t < t0 + 2s; t += 1ms) {
    while (b.has_credit(t)) {
      b.consume(1, t);
      ++taken;
    }
  }
  EXPECT_LE(taken, 151);
  EXPECT_GE(taken, 148);
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
  token_bucket b(10, 10, t0);
  b.consume(10, t0);
  EXPECT_DOUBLE_EQ(b.tokens(t0 - 5s), 0);
  EXPECT_DOUBLE_EQ(b.tokens(t0), 0);
}

}  // namespace
