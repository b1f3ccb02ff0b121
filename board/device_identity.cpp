// See device_identity.hpp.
#include "device_identity.hpp"

#include <fstream>
#include <sstream>

namespace edgegw::board {

namespace {
std::string trim(std::string s) {
  while (!s.empty() &&
         (s.back() == '\0' || s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

std::string read_small(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return {};
  std::string s(256, '\0');
  f.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(f.gcount()));
  return trim(s);
}
}  // namespace

std::string device_serial(const std::filesystem::path& root) {
  if (auto s = read_small(root / "proc/device-tree/serial-number"); !s.empty()) return s;
  std::ifstream cpu(root / "proc/cpuinfo");
  for (std::string line; std::getline(cpu, line);) {
    if (line.rfind("Serial", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto v = trim(line.substr(colon + 1));
        if (!v.empty()) return v;
      }
    }
  }
  if (auto s = read_small(root / "etc/machine-id"); !s.empty()) return s;
  return "unknown";
}

}  // namespace edgegw::board
