// sd_notify without libsystemd against a fake NOTIFY_SOCKET, and the WATCHDOG_USEC rules.
#include <gtest/gtest.h>

#include "board/sd_notify.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

using namespace std::chrono_literals;

TEST(SdNotify, SendsOneDatagramToTheSocket) {
  test::temp_dir dir;
  test::notify_socket sock(dir / "notify.sock");
  sd_notifier n(sock.path());
  ASSERT_TRUE(n.enabled());
  ASSERT_TRUE(n.notify("READY=1\nSTATUS=running\n"));
  EXPECT_EQ(sock.receive(2s), "READY=1\nSTATUS=running\n");
}

TEST(SdNotify, WithoutASocketItIsANoOp) {
  sd_notifier n(std::string{});
  EXPECT_FALSE(n.enabled());
  EXPECT_FALSE(n.notify("READY=1\n"));
}

TEST(SdNotify, AMissingSocketFailsWithoutThrowing) {
  test::temp_dir dir;
  sd_notifier n((dir / "absent.sock").string());
  EXPECT_FALSE(n.notify("WATCHDOG=1\n"));
}

TEST(SdNotify, WatchdogUsecIsTheTimeout) {
  EXPECT_EQ(sd_watchdog_timeout("3000000", nullptr, 42), 3s);
  EXPECT_EQ(sd_watchdog_timeout("3000000", "42", 42), 3s);
}

TEST(SdNotify, WatchdogForAnotherProcessOrMalformedIsOff) {
  EXPECT_EQ(sd_watchdog_timeout(nullptr, nullptr, 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("3000000", "43", 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("0", nullptr, 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("", nullptr, 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("30s", nullptr, 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("-5", nullptr, 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("3000000", "x", 42), 0us);
  EXPECT_EQ(sd_watchdog_timeout("99999999999999999999999", nullptr, 42), 0us);
}

}  // namespace
}  // namespace edgegw::board
