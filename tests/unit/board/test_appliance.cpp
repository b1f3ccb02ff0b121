// The appliance as gateway/app drives it, with a fake NOTIFY_SOCKET and WATCHDOG_USEC, a
// fake LED directory and a regular file standing for the hardware watchdog.
#include <gtest/gtest.h>

#include <cstdlib>

#include "board/appliance.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

using namespace std::chrono_literals;

// Sets the systemd variables for one test and removes them after.
struct systemd_env {
  systemd_env(const std::string& socket, const char* usec) {
    ::setenv("NOTIFY_SOCKET", socket.c_str(), 1);
    if (usec) ::setenv("WATCHDOG_USEC", usec, 1);
    ::unsetenv("WATCHDOG_PID");
  }
  ~systemd_env() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
  }
};

config::values load(const std::string& text) {
  auto r = config::load_text(text, "test.ini");
  if (!r.config) throw std::runtime_error(r.problems.front().str());
  return std::move(*r.config);
}

TEST(Appliance, FullLifeWithBothWatchdogsAndTheLed) {
  test::temp_dir tmp;
  test::notify_socket sock(tmp / "notify.sock");
  systemd_env env(sock.path(), "100000");  // WatchdogSec=100ms: kicks every 50ms
  auto led_dir = test::make_led(tmp / "leds/ACT");
  auto dev = tmp / "watchdog";
  test::write_file(dev, "");
  auto cfg = load("[board]\nled = ACT\nwatchdog_device = " + dev.string() +
                  "\nwatchdog_interval = 100ms\n");

  boost::asio::io_context io;
  {
    appliance a;
    ASSERT_EQ(a.open(cfg, tmp / "leds"), "");
    EXPECT_EQ(a.sd_watchdog_period(), 50ms);
    EXPECT_EQ(test::read_file(led_dir / "trigger"), "timer");  // starting
    EXPECT_EQ(sock.receive(2s), "STATUS=starting\n");
    EXPECT_EQ(test::read_file(dev), "") << "armed before ready";

    a.ready(io, "EDGEGW_LISTENERS=tcp:default=127.0.0.1:1");
    EXPECT_EQ(sock.receive(2s),
              "READY=1\nSTATUS=running\nEDGEGW_LISTENERS=tcp:default=127.0.0.1:1\n");
    EXPECT_EQ(test::read_file(led_dir / "trigger"), "none");
    EXPECT_EQ(test::read_file(led_dir / "brightness"), "255");

    // Run the loop until systemd got three WATCHDOG=1 (the first is sent at ready).
    int watchdog_datagrams = 0;
    std::function<void()> poll_socket;
    boost::asio::steady_timer t(io);
    poll_socket = [&] {
      while (auto d = sock.receive(0ms)) {
        EXPECT_EQ(*d, "WATCHDOG=1\n");
        ++watchdog_datagrams;
      }
      if (watchdog_datagrams >= 3) return;
      t.expires_after(5ms);
      t.async_wait([&](auto) { poll_socket(); });
    };
    poll_socket();
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (watchdog_datagrams < 3 && std::chrono::steady_clock::now() < deadline)
      io.run_one_for(100ms);
    EXPECT_GE(watchdog_datagrams, 3);
    EXPECT_GE(test::read_file(dev).size(), 1u);

    a.uplink(false);
    EXPECT_EQ(test::read_file(led_dir / "delay_off"), "900");
    a.uplink(true);
    EXPECT_EQ(test::read_file(led_dir / "brightness"), "255");

    a.stopping();
    EXPECT_EQ(sock.receive(2s), "STOPPING=1\nSTATUS=stopping\n");
    a.stopped();
  }
  auto bytes = test::read_file(dev);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.back(), 'V');
  EXPECT_EQ(bytes.find('V'), bytes.size() - 1);
  EXPECT_EQ(test::read_file(led_dir / "trigger"), "mmc0");
}

TEST(Appliance, AFailedStartShowsTheErrorPatternAndNeverArmsTheWatchdog) {
  test::temp_dir tmp;
  auto led_dir = test::make_led(tmp / "ACT");
  auto dev = tmp / "watchdog";
  test::write_file(dev, "");
  auto cfg =
      load("[board]\nled = " + led_dir.string() + "\nwatchdog_device = " + dev.string() + "\n");
  {
    appliance a;
    ASSERT_EQ(a.open(cfg), "");
  }  // e.g. a port in use: run() returns before ready()
  EXPECT_EQ(test::read_file(led_dir / "trigger"), "timer");
  EXPECT_EQ(test::read_file(led_dir / "delay_on"), "100");
  EXPECT_EQ(test::read_file(led_dir / "delay_off"), "100");
  EXPECT_EQ(test::read_file(dev), "");
}

TEST(Appliance, AnUnusableWatchdogDeviceStopsTheStart) {
  test::temp_dir tmp;
  auto cfg = load("[board]\nwatchdog_device = " + (tmp / "absent").string() + "\n");
  appliance a;
  auto why = a.open(cfg);
  EXPECT_NE(why.find("board.watchdog_device (test.ini:2): cannot open"), std::string::npos) << why;
}

TEST(Appliance, AMissingLedIsNotFatal) {
  test::temp_dir tmp;
  auto cfg = load("[board]\nled = nope\n");
  appliance a;
  EXPECT_EQ(a.open(cfg, tmp.path()), "");
}

TEST(Appliance, NoSystemdWatchdogWithoutWatchdogUsec) {
  test::temp_dir tmp;
  test::notify_socket sock(tmp / "notify.sock");
  systemd_env env(sock.path(), nullptr);
  appliance a;
  ASSERT_EQ(a.open(load("")), "");
  EXPECT_EQ(a.sd_watchdog_period(), 0ms);
}

}  // namespace
}  // namespace edgegw::board
