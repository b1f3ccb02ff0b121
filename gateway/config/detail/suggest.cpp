// Levenshtein distance, two rows; inputs are short names (long ones are not compared).
#include "gateway/config/detail/suggest.hpp"

#include <algorithm>
#include <numeric>

namespace edgegw::config::detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  std::iota(prev.begin(), prev.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {
std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}
}  // namespace

// Case is ignored: "NAME" is a typo of "name".
std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  constexpr std::size_t longest_compared = 64;
  if (word.empty() || word.size() > longest_compared) return {};
  std::size_t limit = word.size() <= 4   ? 1
                      : word.size() <= 8 ? 2
                                         : std::min<std::size_t>(4, word.size() / 4);
  std::string best;
  std::size_t best_distance = limit + 1;
  std::string w = lowered(word);
  for (const auto& c : candidates) {
    // The distance is at least the difference in length: skip hopeless candidates.
    std::size_t gap = c.size() > w.size() ? c.size() - w.size() : w.size() - c.size();
    if (gap > limit) continue;
    std::size_t d = edit_distance(w, lowered(c));
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace edgegw::config::detail
