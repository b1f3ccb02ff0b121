// The device's serial number, for ${serial} in config values (client ids, topic prefixes):
// the device-tree serial-number (most ARM boards), else /proc/cpuinfo "Serial" (Raspberry
// Pi), else /etc/machine-id. The root is a parameter so tests use a fake tree.
#pragma once
#include <filesystem>
#include <string>

namespace edgegw::board {

std::string device_serial(const std::filesystem::path& root = "/");

}  // namespace edgegw::board
