// Topic rewriting between the local broker and the remote one: forwarded messages get
// remote_prefix, received ones local_prefix. Pure functions, checked once at start-up so a
// prefix cannot turn valid topics into invalid ones at run time.
#pragma once
#include <span>
#include <string>
#include <string_view>

namespace edgegw::bridge {

inline std::string apply_prefix(std::string_view prefix, std::string_view topic) {
  std::string s;
  s.reserve(prefix.size() + topic.size());
  s.append(prefix).append(topic);
  return s;
}

// "" when `prefix` is fit to put before topic names: no wildcards, valid UTF-8. Otherwise
// a one-line reason.
std::string check_prefix(std::string_view prefix);

// "" when every filter is a valid subscription filter (and `allow_shared` or not a
// $share/$queue one), and `prefix` + filter is one too. Otherwise a one-line reason naming
// the filter.
std::string check_filters(std::span<const std::string> filters, std::string_view prefix,
                          bool allow_shared);

}  // namespace edgegw::bridge
