// core::client_rates: message and byte buckets per client id; pause or refuse.
#include <gtest/gtest.h>

#include "gateway/core/client_rates.hpp"

namespace {

using edgegw::core::client_rates;
using namespace std::chrono_literals;

const client_rates::clock::time_point t0{std::chrono::seconds(5000)};

TEST(ClientRates, DisabledWhenBothRatesAreZero) {
  EXPECT_FALSE(client_rates(0, 0).enabled());
  EXPECT_TRUE(client_rates(1, 0).enabled());
  EXPECT_TRUE(client_rates(0, 1).enabled());
}

TEST(ClientRates, PausableClientIsChargedAndToldToWait) {
  client_rates r(5, 0);  // 5 messages/s, burst 5
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r.admit("a", 10, true, t0), 0ns) << i;
  auto w = r.admit("a", 10, true, t0);  // the 6th: paid into debt
  ASSERT_TRUE(w);
  EXPECT_GE(*w, 200ms);
  // Another client has its own bucket.
  EXPECT_EQ(r.admit("b", 10, true, t0), 0ns);
}

TEST(ClientRates, UnpausableClientIsRefusedWhileItOwes) {
  client_rates r(2, 0);
  EXPECT_TRUE(r.admit("u", 1, false, t0));
  EXPECT_TRUE(r.admit("u", 1, false, t0));
  EXPECT_TRUE(r.admit("u", 1, false, t0));  // balance 0 still admits, goes to -1
  EXPECT_FALSE(r.admit("u", 1, false, t0));
  EXPECT_FALSE(r.admit("u", 1, false, t0 + 400ms));
  EXPECT_TRUE(r.admit("u", 1, false, t0 + 501ms));
}

TEST(ClientRates, ByteRateCountsBytes) {
  client_rates r(0, 1000);  // 1000 bytes/s
  EXPECT_EQ(r.admit("a", 1000, true, t0), 0ns);
  auto w = r.admit("a", 500, true, t0);
  ASSERT_TRUE(w);
  EXPECT_GE(*w, 500ms);
  EXPECT_LT(*w, 501ms);
  EXPECT_FALSE(r.admit("a", 1, false, t0 + 400ms));
}

TEST(ClientRates, IdleClientsAreDropped) {
  client_rates r(10, 0);
  for (int i = 0; i < 1024; ++i) r.admit("c" + std::to_string(i), 1, true, t0);
  EXPECT_EQ(r.tracked(), 1024u);
  r.admit("new", 1, true, t0 + 10s);  // all others refilled: swept
  EXPECT_EQ(r.tracked(), 1u);
}

}  // namespace
