// Shared helpers of the config tests.
#pragma once
#include <string>
#include <vector>

#include "gateway/config/config.hpp"

namespace edgegw::config::test {

inline std::vector<std::string> messages(const load_result& r) {
  std::vector<std::string> out;
  for (const auto& p : r.problems) out.push_back(p.str());
  return out;
}

inline std::string joined(const load_result& r) {
  std::string out;
  for (const auto& p : r.problems) out += p.str() + "\n";
  return out;
}

}  // namespace edgegw::config::test
