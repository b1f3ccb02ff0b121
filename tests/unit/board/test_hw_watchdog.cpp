// The hardware watchdog against a regular file standing for /dev/watchdog: kicks are
// plain bytes, a clean stop ends with the magic 'V', anything else does not.
#include <gtest/gtest.h>

#include <system_error>

#include "board/hw_watchdog.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

TEST(HwWatchdog, KicksThenMagicCloseOnDisarm) {
  test::temp_dir dir;
  auto dev = dir / "watchdog";
  test::write_file(dev, "");
  {
    hw_watchdog wd(dev);
    EXPECT_TRUE(wd.armed());
    EXPECT_TRUE(wd.kick());
    EXPECT_TRUE(wd.kick());
    EXPECT_TRUE(wd.disarm());
    EXPECT_FALSE(wd.armed());
    EXPECT_FALSE(wd.kick());
  }
  auto bytes = test::read_file(dev);
  ASSERT_EQ(bytes.size(), 3u);
  EXPECT_EQ(bytes.back(), 'V');
  EXPECT_EQ(bytes.find('V'), 2u);
}

TEST(HwWatchdog, DestroyedWithoutDisarmLeavesItCounting) {
  test::temp_dir dir;
  auto dev = dir / "watchdog";
  test::write_file(dev, "");
  {
    hw_watchdog wd(dev);
    EXPECT_TRUE(wd.kick());
  }
  auto bytes = test::read_file(dev);
  EXPECT_EQ(bytes.size(), 1u);
  EXPECT_EQ(bytes.find('V'), std::string::npos);
}

TEST(HwWatchdog, AMissingDeviceThrowsNamingIt) {
  test::temp_dir dir;
  try {
    hw_watchdog wd(dir / "absent");
    FAIL() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("absent"), std::string::npos) << e.what();
    EXPECT_EQ(e.code().value(), ENOENT);
  }
}

}  // namespace
}  // namespace edgegw::board
