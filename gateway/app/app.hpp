// The edgegw process: configuration, logging, durable state, the broker, the listeners,
// signals and the systemd handshake, wired together.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace edgegw::app {

struct options {
  std::optional<std::filesystem::path> config_file;
  std::vector<std::string> overrides;  // "SECTION.KEY=VALUE"
  bool check_only = false;
};

const char* version();
// Returns the process exit status.
int run(const options& opts);

}  // namespace edgegw::app
