// Topic validation and matching per MQTT 5.0 section 4.7 (same rules in 3.1.1).
#include "topic.hpp"

namespace edgegw {

bool valid_utf8(std::string_view s, bool allow_nul) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c == 0 && !allow_nul) return false;  // U+0000 is forbidden [MQTT-1.5.4-2]
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    // Overlong encodings, surrogates [MQTT-1.5.4-1] and code points past U+10FFFF.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    if (cp > 0x10FFFF) return false;
    p += n + 1;
  }
  return true;
}

namespace {
std::size_t count_levels(std::string_view s) noexcept {
  std::size_t n = 1;
  for (char c : s) n += (c == '/');
  return n;
}
}  // namespace

errc validate_topic_name(std::string_view topic, const topic_limits& limits) noexcept {
  if (topic.empty() || topic.size() > limits.max_length) return errc::topic_name_invalid;
  if (topic.find_first_of("+#") != std::string_view::npos) return errc::topic_name_invalid;
  if (count_levels(topic) > limits.max_levels) return errc::topic_name_invalid;
  if (!valid_utf8(topic)) return errc::topic_name_invalid;
  return errc::ok;
}

errc validate_topic_filter(std::string_view filter, const topic_limits& limits) noexcept {
  if (filter.empty() || filter.size() > limits.max_length) return errc::topic_filter_invalid;
  if (count_levels(filter) > limits.max_levels) return errc::topic_filter_invalid;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = filter.find('/', start);
    std::string_view level =
        filter.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (level.find_first_of("+#") != std::string_view::npos) {
      if (level.size() != 1) return errc::topic_filter_invalid;  // [MQTT-4.7.1-2], [MQTT-4.7.1-3]
      if (level == "#" && slash != std::string_view::npos) return errc::topic_filter_invalid;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!valid_utf8(filter)) return errc::topic_filter_invalid;
  return errc::ok;
}

bool has_wildcards(std::string_view filter) noexcept {
  return filter.find_first_of("+#") != std::string_view::npos;
}

bool topic_matches(std::string_view filter, std::string_view topic) noexcept {
  // [MQTT-4.7.2-1]: wildcards in the first level never match '$' topics.
  if (!topic.empty() && topic[0] == '$' && !filter.empty() &&
      (filter[0] == '+' || filter[0] == '#'))
    return false;
  std::size_t f = 0, t = 0;
  while (true) {
    std::size_t fe = filter.find('/', f);
    std::string_view fl = filter.substr(f, fe == std::string_view::npos ? fe : fe - f);
    if (fl == "#") return true;  // matches the parent level too ("a/#" matches "a")
    if (t > topic.size()) {
      return false;
    }
    std::size_t te = topic.find('/', t);
    std::string_view tl = topic.substr(t, te == std::string_view::npos ? te : te - t);
    if (fl != "+" && fl != tl) return false;
    bool f_last = fe == std::string_view::npos;
    bool t_last = te == std::string_view::npos;
    if (f_last && t_last) return true;
    if (f_last) return false;
    if (t_last) {
      // Topic ended; only a trailing "/#" can still match.
      return filter.substr(fe + 1) == "#";
    }
    f = fe + 1;
    t = te + 1;
  }
}

std::optional<shared_filter> parse_shared_filter(std::string_view filter, errc* error) noexcept {
  if (error) *error = errc::ok;
  constexpr std::string_view share = "$share/", queue = "$queue/";
  if (filter.substr(0, queue.size()) == queue) {
    std::string_view rest = filter.substr(queue.size());
    if (rest.empty() || validate_topic_filter(rest) != errc::ok) {
      if (error) *error = errc::topic_filter_invalid;
      return std::nullopt;
    }
    return shared_filter{"$queue", std::string(rest)};
  }
  if (filter.substr(0, share.size()) != share) return std::nullopt;
  std::string_view rest = filter.substr(share.size());
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos || slash == 0) {
    if (error) *error = errc::topic_filter_invalid;
    return std::nullopt;
  }
  std::string_view group = rest.substr(0, slash), inner = rest.substr(slash + 1);
  if (group.find_first_of("+#") != std::string_view::npos || inner.empty() ||
      validate_topic_filter(inner) != errc::ok) {
    if (error) *error = errc::topic_filter_invalid;
    return std::nullopt;
  }
  return shared_filter{std::string(group), std::string(inner)};
}

}  // namespace edgegw
