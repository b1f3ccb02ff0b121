// The watchdog kicker: kicks at start, then every period, and never after stop().
#include <gtest/gtest.h>

#include <chrono>

#include "board/kicker.hpp"

namespace edgegw::board {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST(Kicker, KicksAtOnceThenEveryPeriod) {
  boost::asio::io_context io;
  int kicks = 0;
  std::vector<clock_type::time_point> at;
  kicker k(io.get_executor(), 20ms, [&] {
    at.push_back(clock_type::now());
    if (++kicks == 4) io.stop();
  });
  k.start();
  EXPECT_EQ(kicks, 1);
  io.run_for(10s);
  ASSERT_EQ(kicks, 4);
  for (std::size_t i = 1; i < at.size(); ++i) EXPECT_GE(at[i] - at[i - 1], 20ms);
}

TEST(Kicker, StopEndsTheKicks) {
  boost::asio::io_context io;
  int kicks = 0;
  kicker k(io.get_executor(), 5ms, [&] { ++kicks; });
  k.start();
  boost::asio::steady_timer later(io, 50ms);
  later.async_wait([&](auto) { k.stop(); });
  io.run_for(10s);  // returns once no work is left: only if stop() cancelled the timer
  EXPECT_TRUE(io.stopped());
  int after = kicks;
  EXPECT_GE(after, 2);
  io.restart();
  io.run_for(30ms);
  EXPECT_EQ(kicks, after);
}

TEST(Kicker, ABlockedLoopDoesNotKick) {
  boost::asio::io_context io;
  int kicks = 0;
  kicker k(io.get_executor(), 10ms, [&] { ++kicks; });
  k.start();
  // The main loop is busy with one long handler: the kicker's timer cannot run meanwhile,
  // so a watchdog with a timeout below 200 ms would fire.
  int during = -1;
  boost::asio::post(io, [&] {
    int before = kicks;
    auto until = clock_type::now() + 200ms;
    while (clock_type::now() < until) {
    }
    during = kicks - before;
    k.stop();
  });
  io.run_for(10s);
  EXPECT_EQ(during, 0);
}

}  // namespace
}  // namespace edgegw::board
