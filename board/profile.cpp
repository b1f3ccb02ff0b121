// See profile.hpp.
#include "profile.hpp"

#include <fstream>
#include <vector>

#include "device_identity.hpp"

namespace edgegw::board {

namespace {
constexpr profile_default raspberrypi[] = {
    {"node.io_threads", "2"},
    {"persistence.flush_interval", "1s"},
    {"limits.max_connections", "10000"},
    {"board.led", "ACT"},
};

bool names_raspberry_pi(const std::filesystem::path& root) {
  std::ifstream model(root / "proc/device-tree/model");
  std::string line;
  if (std::getline(model, line) && line.rfind("Raspberry Pi", 0) == 0) return true;
  std::ifstream cpu(root / "proc/cpuinfo");
  while (std::getline(cpu, line)) {
    if (line.rfind("Model", 0) == 0 && line.find("Raspberry Pi") != std::string::npos) return true;
  }
  return false;
}
}  // namespace

std::string resolve_profile(std::string_view configured, const std::filesystem::path& root) {
  if (configured != "auto") return std::string(configured);
  return names_raspberry_pi(root) ? "raspberrypi" : "generic";
}

std::span<const profile_default> profile_defaults(std::string_view profile) {
  if (profile == "raspberrypi") return raspberrypi;
  return {};
}

board_config load_config(const std::optional<std::filesystem::path>& file,
                         std::span<const std::string> overrides,
                         const std::filesystem::path& root) {
  board_config out;
  out.serial = device_serial(root);
  std::map<std::string, std::string> vars{{"serial", out.serial}};
  out.loaded = config::load(file, overrides, vars);
  if (!out.loaded.config) return out;
  const config::values& first = *out.loaded.config;
  out.profile = resolve_profile(first.get_string("board.profile"), root);

  // A second pass only when the board layer changes something: profile defaults go in
  // before the user's --set overrides, for keys the file left at their default.
  std::vector<std::string> layered;
  for (const auto& d : profile_defaults(out.profile)) {
    if (first.origin_of(d.key).where.empty())
      layered.push_back(std::string(d.key) + "=" + std::string(d.value));
  }
  const std::string& serial = first.get_string("board.serial");
  if (layered.empty() && (serial.empty() || serial == out.serial)) return out;
  if (!serial.empty()) out.serial = vars["serial"] = serial;
  layered.insert(layered.end(), overrides.begin(), overrides.end());
  std::string profile = std::move(out.profile);
  out.loaded = config::load(file, layered, vars);
  out.profile = out.loaded.config ? std::move(profile) : std::string();
  return out;
}

}  // namespace edgegw::board
