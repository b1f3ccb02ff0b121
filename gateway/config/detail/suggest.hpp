// "Did you mean ...?" for unknown sections and keys: the candidate with the smallest
// edit distance, if it is close enough to be a plausible typo.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace edgegw::config::detail {

std::size_t edit_distance(std::string_view a, std::string_view b);
// "" when no candidate is close.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace edgegw::config::detail
