#include "topic_map.hpp"

#include "gateway/api/topic.hpp"

namespace edgegw::bridge {

std::string check_prefix(std::string_view prefix) {
  if (prefix.find_first_of("+#") != std::string_view::npos)
    return "must not contain the wildcards + or #";
  if (!valid_utf8(prefix)) return "must be valid UTF-8 without U+0000";
  return {};
}

std::string check_filters(std::span<const std::string> filters, std::string_view prefix,
                          bool allow_shared) {
  for (const auto& f : filters) {
    errc e = errc::ok;
    auto shared = parse_shared_filter(f, &e);
    if (e != errc::ok) return "'" + f + "' is not a valid shared subscription filter";
    if (shared && !allow_shared) return "'" + f + "' is a shared subscription; not allowed here";
    std::string_view inner = shared ? std::string_view(shared->filter) : std::string_view(f);
    if (validate_topic_filter(inner) != errc::ok) return "'" + f + "' is not a valid topic filter";
    if (!prefix.empty() && validate_topic_filter(apply_prefix(prefix, inner)) != errc::ok)
      return "the prefix makes '" + f + "' an invalid topic filter";
  }
  return {};
}

}  // namespace edgegw::bridge
