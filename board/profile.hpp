// Board profiles: built-in defaults tuned for a kind of device, chosen by board.profile.
// A profile only replaces defaults: a key set in the ini file or by --set keeps that value.
//   generic      the defaults as shipped in etc/edgegw.ini.
//   raspberrypi  2 I/O threads, persistence batches flushed every second (fewer SD-card
//                writes), 10000 connections at most, the ACT LED as status LED.
//   auto         raspberrypi when the device tree or /proc/cpuinfo names a Raspberry Pi,
//                else generic.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "gateway/config/config.hpp"

namespace edgegw::board {

struct profile_default {
  std::string_view key;
  std::string_view value;
};

// "auto" resolved against the device under `root`; other names are returned unchanged.
std::string resolve_profile(std::string_view configured, const std::filesystem::path& root = "/");
// The defaults a resolved profile replaces; empty for generic.
std::span<const profile_default> profile_defaults(std::string_view profile);

struct board_config {
  config::load_result loaded;
  std::string profile;  // resolved; empty when loading failed
  std::string serial;   // the value ${serial} stood for
};

// config::load, then the board layer: ${serial} is board.serial when set, else the device's
// serial (device_identity.hpp); the profile's defaults apply to keys left at their built-in
// default (the file and --set win). `root` is "/" except in tests.
board_config load_config(const std::optional<std::filesystem::path>& file,
                         std::span<const std::string> overrides,
                         const std::filesystem::path& root = "/");

}  // namespace edgegw::board
