// Fuzz target for the configuration loader. The input is an ini file; after a "\0\0"
// separator, each line is a --set override. Besides not crashing, it checks the
// loader's promises: a config exactly when there are no problems, a bounded problem
// list, and that a loaded file renders to text that loads back to the same values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.hpp"

namespace {

using edgegw::config::load_result;

void check(bool ok) {
  if (!ok) std::abort();
}

void check_invariants(const load_result& r) {
  check(r.config.has_value() == r.problems.empty());
  check(r.problems.size() <= edgegw::config::max_problems + 1);
  for (const auto& p : r.problems) check(!p.message.empty() && !p.str().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr std::size_t max_input = 64 * 1024;
  if (size > max_input) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view text = input;
  std::vector<std::string> overrides;
  if (auto sep = input.find(std::string_view("\0\0", 2)); sep != std::string_view::npos) {
    text = input.substr(0, sep);
    std::string_view rest = input.substr(sep + 2);
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      overrides.emplace_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    }
  }
  const std::map<std::string, std::string> variables{{"serial", "S1"}};
  load_result r = edgegw::config::load_text(text, "fuzz.ini", overrides, variables);
  check_invariants(r);
  if (!r.config || !overrides.empty()) return 0;

  // Round trip. Rendering may make a line longer than inih takes (a long value under a
  // long key); that is the only problem allowed.
  load_result again = edgegw::config::load_text(r.config->render(), "rendered.ini", {}, variables);
  check_invariants(again);
  if (!again.config) {
    for (const auto& p : again.problems) check(p.message.starts_with("line too long"));
    return 0;
  }
  auto keys = r.config->keys_with_prefix("");
  check(keys == again.config->keys_with_prefix(""));
  for (const auto& k : keys) check(r.config->get_value(k) == again.config->get_value(k));
  return 0;
}
