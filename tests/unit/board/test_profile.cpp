// Board profiles and ${serial}: a profile replaces only defaults, the file and --set win.
#include <gtest/gtest.h>

#include "board/profile.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

std::string problems(const board_config& c) {
  std::string out;
  for (const auto& p : c.loaded.problems) out += p.str() + "\n";
  return out;
}

struct fixture {
  test::temp_dir root;
  std::filesystem::path ini = root / "edgegw.ini";
  fixture() { test::write_file(root / "etc/machine-id", "feedfacecafe\n"); }
  board_config load(const std::string& text, std::vector<std::string> sets = {}) {
    test::write_file(ini, text);
    return load_config(ini, sets, root.path());
  }
};

TEST(Profile, AutoDetectsARaspberryPiFromTheDeviceTree) {
  test::temp_dir root;
  EXPECT_EQ(resolve_profile("auto", root.path()), "generic");
  test::write_file(root / "proc/device-tree/model", std::string("Raspberry Pi 4 Model B\0", 23));
  EXPECT_EQ(resolve_profile("auto", root.path()), "raspberrypi");
  EXPECT_EQ(resolve_profile("generic", root.path()), "generic");
}

TEST(Profile, AutoDetectsARaspberryPiFromCpuinfo) {
  test::temp_dir root;
  test::write_file(root / "proc/cpuinfo", "Serial\t: 1\nModel\t: Raspberry Pi 3 Model B Rev 1.2\n");
  EXPECT_EQ(resolve_profile("auto", root.path()), "raspberrypi");
}

TEST(Profile, GenericKeepsTheShippedDefaults) {
  fixture f;
  auto c = f.load("[node]\nname = gw\n");
  ASSERT_TRUE(c.loaded.config) << problems(c);
  EXPECT_EQ(c.profile, "generic");
  EXPECT_EQ(c.loaded.config->get_int("node.io_threads"), 0);
  EXPECT_EQ(c.loaded.config->get_string("board.led"), "");
}

TEST(Profile, RaspberryPiReplacesDefaultsButNotWhatTheFileSets) {
  fixture f;
  auto c = f.load("[node]\nio_threads = 3\n[board]\nprofile = raspberrypi\n");
  ASSERT_TRUE(c.loaded.config) << problems(c);
  const auto& v = *c.loaded.config;
  EXPECT_EQ(c.profile, "raspberrypi");
  EXPECT_EQ(v.get_int("node.io_threads"), 3);
  EXPECT_EQ(v.get_duration("persistence.flush_interval"), std::chrono::seconds(1));
  EXPECT_EQ(v.get_int("limits.max_connections"), 10000);
  EXPECT_EQ(v.get_string("board.led"), "ACT");
}

TEST(Profile, SetOverridesBeatTheProfile) {
  fixture f;
  auto c = f.load("[board]\nprofile = raspberrypi\n", {"limits.max_connections=7", "board.led="});
  ASSERT_TRUE(c.loaded.config) << problems(c);
  EXPECT_EQ(c.loaded.config->get_int("limits.max_connections"), 7);
  EXPECT_EQ(c.loaded.config->get_string("board.led"), "");
}

TEST(Profile, SerialIsDetectedOrConfigured) {
  fixture f;
  auto c = f.load("[node]\nname = gw-${serial}\n");
  ASSERT_TRUE(c.loaded.config) << problems(c);
  EXPECT_EQ(c.loaded.config->get_string("node.name"), "gw-feedfacecafe");
  EXPECT_EQ(c.serial, "feedfacecafe");

  c = f.load("[node]\nname = gw-${serial}\n[board]\nserial = PLANT7\n");
  ASSERT_TRUE(c.loaded.config) << problems(c);
  EXPECT_EQ(c.loaded.config->get_string("node.name"), "gw-PLANT7");
  EXPECT_EQ(c.serial, "PLANT7");
}

TEST(Profile, ProblemsAreReportedOnce) {
  fixture f;
  auto c = f.load("[board]\nprofile = beaglebone\nwatchdog_interval = 1ms\n");
  EXPECT_FALSE(c.loaded.config);
  EXPECT_EQ(c.loaded.problems.size(), 2u) << problems(c);
  EXPECT_EQ(c.profile, "");
}

}  // namespace
}  // namespace edgegw::board
