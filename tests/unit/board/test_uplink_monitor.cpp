// The uplink LED: the tracker's decision with injected time, then the monitor on a real
// io_context driving a real appliance whose LED is a fake sysfs directory.
#include <gtest/gtest.h>

#include <atomic>

#include "board/appliance.hpp"
#include "board/uplink_monitor.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

using namespace std::chrono_literals;
using clock = uplink_tracker::clock;

TEST(UplinkTracker, DownOnlyAfterTheGraceAndUpAtOnce) {
  uplink_tracker t(3s);
  const auto t0 = clock::time_point{} + 100s;
  EXPECT_EQ(t.update(true, t0), std::nullopt);
  EXPECT_EQ(t.update(false, t0 + 1s), std::nullopt) << "a short reconnect is not shown";
  EXPECT_EQ(t.update(true, t0 + 2s), std::nullopt);
  EXPECT_EQ(t.update(false, t0 + 3s), std::nullopt) << "the grace starts again";
  EXPECT_EQ(t.update(false, t0 + 5900ms), std::nullopt);
  EXPECT_EQ(t.update(false, t0 + 6s), std::optional<bool>(false));
  EXPECT_FALSE(t.shown_up());
  EXPECT_EQ(t.update(false, t0 + 60s), std::nullopt) << "shown once";
  EXPECT_EQ(t.update(true, t0 + 61s), std::optional<bool>(true));
  EXPECT_EQ(t.update(true, t0 + 62s), std::nullopt);
}

config::values load(const std::string& text) {
  auto r = config::load_text(text, "test.ini");
  if (!r.config) throw std::runtime_error(r.problems.front().str());
  return std::move(*r.config);
}

// Runs `io` until `cond` holds or 10 s pass.
template <class F>
bool run_until(boost::asio::io_context& io, F cond) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!cond() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  return cond();
}

TEST(UplinkMonitor, DrivesTheLedPatternOfTheAppliance) {
  test::temp_dir tmp;
  auto led_dir = test::make_led(tmp / "leds/ACT");
  auto cfg = load("[board]\nled = ACT\n");
  boost::asio::io_context io;
  appliance a;
  ASSERT_EQ(a.open(cfg, tmp / "leds"), "");
  a.ready(io, "");
  ASSERT_EQ(test::read_file(led_dir / "trigger"), "none");  // running: steady on

  std::atomic<bool> link_up{true};
  std::vector<bool> shown;
  uplink_monitor m(
      io.get_executor(), 10ms, 100ms, [&] { return link_up.load(); },
      [&](bool up) {
        shown.push_back(up);
        a.uplink(up);
      });
  m.start();
  const auto down_at = std::chrono::steady_clock::now();
  link_up = false;
  ASSERT_TRUE(run_until(io, [&] { return !shown.empty(); }));
  EXPECT_GE(std::chrono::steady_clock::now() - down_at, 100ms) << "not before the grace";
  EXPECT_EQ(shown, std::vector<bool>{false});
  EXPECT_EQ(test::read_file(led_dir / "trigger"), "timer");
  EXPECT_EQ(test::read_file(led_dir / "delay_on"), "100");
  EXPECT_EQ(test::read_file(led_dir / "delay_off"), "900");

  link_up = true;
  ASSERT_TRUE(run_until(io, [&] { return shown.size() == 2; }));
  EXPECT_EQ(shown, (std::vector<bool>{false, true}));
  EXPECT_EQ(test::read_file(led_dir / "trigger"), "none");
  EXPECT_EQ(test::read_file(led_dir / "brightness"), "255");

  m.stop();
  a.stopping();
  a.stopped();
}

}  // namespace
}  // namespace edgegw::board
