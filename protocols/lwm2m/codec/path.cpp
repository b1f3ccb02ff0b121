// LwM2M path parsing and printing.
#include "path.hpp"

#include <charconv>

#include "detail/utf8.hpp"

namespace edgegw::lwm2m {

result<path> parse_path(std::string_view text, bool allow_root) {
  const std::string quoted = "bad path " + detail::quote(text) + ": ";
  std::string_view rest = text;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  path p;
  if (rest.empty()) {
    if (allow_root) return p;
    return fail(quoted + "empty");
  }
  while (true) {
    const auto slash = rest.find('/');
    const std::string_view seg = rest.substr(0, slash);
    if (p.depth == 4) return fail(quoted + "more than 4 levels");
    if (seg.empty()) return fail(quoted + "empty segment");
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(seg.data(), seg.data() + seg.size(), v);
    if (ec != std::errc{} || end != seg.data() + seg.size())
      return fail(quoted + detail::quote(seg) + " is not a number");
    if (v >= 65535) return fail(quoted + "id " + std::to_string(v) + " out of range 0-65534");
    p.ids[p.depth++] = static_cast<uint16_t>(v);
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return p;
}

std::string to_string(const path& p) {
  if (p.depth == 0) return "/";
  std::string s;
  for (uint8_t i = 0; i < p.depth; ++i) {
    s += '/';
    s += std::to_string(p.ids[i]);
  }
  return s;
}

}  // namespace edgegw::lwm2m
