// The status LED against a fake /sys/class/leds/NAME directory.
#include <gtest/gtest.h>

#include <system_error>

#include "board/status_led.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

std::string attr(const std::filesystem::path& dir, const char* name) {
  return test::read_file(dir / name);
}

TEST(StatusLed, BlinkPatternsUseTheTimerTrigger) {
  test::temp_dir tmp;
  auto dir = test::make_led(tmp / "ACT");
  status_led led(dir);
  ASSERT_TRUE(led.show(led_pattern::starting));
  EXPECT_EQ(attr(dir, "trigger"), "timer");
  EXPECT_EQ(attr(dir, "delay_on"), "500");
  EXPECT_EQ(attr(dir, "delay_off"), "500");
  ASSERT_TRUE(led.show(led_pattern::uplink_down));
  EXPECT_EQ(attr(dir, "delay_on"), "100");
  EXPECT_EQ(attr(dir, "delay_off"), "900");
  ASSERT_TRUE(led.show(led_pattern::error));
  EXPECT_EQ(attr(dir, "delay_on"), "100");
  EXPECT_EQ(attr(dir, "delay_off"), "100");
  EXPECT_EQ(led.current(), led_pattern::error);
}

TEST(StatusLed, RunningIsSteadyAtMaxBrightnessAndOffIsZero) {
  test::temp_dir tmp;
  auto dir = test::make_led(tmp / "ACT");
  status_led led(dir);
  ASSERT_TRUE(led.show(led_pattern::running));
  EXPECT_EQ(attr(dir, "trigger"), "none");
  EXPECT_EQ(attr(dir, "brightness"), "255");
  ASSERT_TRUE(led.show(led_pattern::off));
  EXPECT_EQ(attr(dir, "brightness"), "0");
}

TEST(StatusLed, RestorePutsBackTheTriggerFoundAtOpen) {
  test::temp_dir tmp;
  auto dir = test::make_led(tmp / "ACT");
  status_led led(dir);
  led.show(led_pattern::error);
  ASSERT_TRUE(led.restore());
  EXPECT_EQ(attr(dir, "trigger"), "mmc0");
}

TEST(StatusLed, RestoreOfAManualLedPutsBackItsBrightness) {
  test::temp_dir tmp;
  auto dir = test::make_led(tmp / "led1", "[none] timer", "7");
  status_led led(dir);
  led.show(led_pattern::running);
  ASSERT_TRUE(led.restore());
  EXPECT_EQ(attr(dir, "trigger"), "none");
  EXPECT_EQ(attr(dir, "brightness"), "7");
}

TEST(StatusLed, AKernelWithoutTheTimerTriggerIsReported) {
  test::temp_dir tmp;
  auto dir = test::make_led(tmp / "ACT");
  std::filesystem::remove(dir / "delay_on");
  status_led led(dir);
  EXPECT_FALSE(led.show(led_pattern::starting));
}

TEST(StatusLed, AMissingLedThrows) {
  test::temp_dir tmp;
  EXPECT_THROW(status_led{tmp / "nope"}, std::system_error);
}

TEST(StatusLed, ActiveTriggerIsTheBracketedOne) {
  EXPECT_EQ(active_trigger("none rc-feedback [mmc0] timer"), "mmc0");
  EXPECT_EQ(active_trigger("[none] timer"), "none");
  EXPECT_EQ(active_trigger("none timer"), "");
  EXPECT_EQ(active_trigger("]x["), "");
}

}  // namespace
}  // namespace edgegw::board
