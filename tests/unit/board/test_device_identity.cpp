// ${serial}: device tree first, then /proc/cpuinfo, then /etc/machine-id, in a fake root.
#include <gtest/gtest.h>

#include "board/device_identity.hpp"
#include "fakes.hpp"

namespace edgegw::board {
namespace {

const char* pi_cpuinfo =
    "processor\t: 0\nBogoMIPS\t: 108.00\n\nHardware\t: BCM2835\nRevision\t: c03111\n"
    "Serial\t\t: 10000000abcdef01\nModel\t\t: Raspberry Pi 4 Model B Rev 1.1\n";

TEST(DeviceIdentity, DeviceTreeSerialWinsAndLosesItsNul) {
  test::temp_dir root;
  test::write_file(root / "proc/device-tree/serial-number", std::string("00000000c0ffee42\0", 17));
  test::write_file(root / "proc/cpuinfo", pi_cpuinfo);
  test::write_file(root / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(device_serial(root.path()), "00000000c0ffee42");
}

TEST(DeviceIdentity, CpuinfoSerialIsNext) {
  test::temp_dir root;
  test::write_file(root / "proc/cpuinfo", pi_cpuinfo);
  test::write_file(root / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(device_serial(root.path()), "10000000abcdef01");
}

TEST(DeviceIdentity, MachineIdIsTheFallback) {
  test::temp_dir root;
  test::write_file(root / "proc/cpuinfo", "processor\t: 0\nmodel name\t: x86\n");
  test::write_file(root / "etc/machine-id", "0123456789abcdef0123456789abcdef\n");
  EXPECT_EQ(device_serial(root.path()), "0123456789abcdef0123456789abcdef");
}

TEST(DeviceIdentity, EmptySourcesAreSkipped) {
  test::temp_dir root;
  test::write_file(root / "proc/device-tree/serial-number", std::string("\0", 1));
  test::write_file(root / "proc/cpuinfo", "Serial\t\t: \n");
  EXPECT_EQ(device_serial(root.path()), "unknown");
}

}  // namespace
}  // namespace edgegw::board
