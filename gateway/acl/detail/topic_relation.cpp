// See topic_relation.hpp. Both walk the two filters level by level.
#include "gateway/acl/detail/topic_relation.hpp"

#include <optional>

namespace edgegw::acl::detail {

namespace {

// Yields the '/'-separated levels of a filter; nullopt once past the last one.
class levels {
 public:
  explicit levels(std::string_view s) : rest_(s) {}
  std::optional<std::string_view> next() {
    if (done_) return std::nullopt;
    auto slash = rest_.find('/');
    std::string_view level = rest_.substr(0, slash);
    if (slash == std::string_view::npos)
      done_ = true;
    else
      rest_.remove_prefix(slash + 1);
    return level;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

bool is_wild(std::string_view level) {
  return level == "+" || level == "#";
}
bool is_dollar(std::string_view level) {
  return !level.empty() && level.front() == '$';
}

}  // namespace

bool covers(std::string_view rule, std::string_view filter) noexcept {
  levels r(rule), f(filter);
  for (bool first = true;; first = false) {
    auto rl = r.next();
    auto fl = f.next();
    if (!rl) return !fl;  // the rule ended: covered only if the filter ended too
    if (*rl == "#") return !(first && fl && !is_wild(*fl) && is_dollar(*fl));
    if (!fl) return false;  // "a/b" does not cover "a"
    if (*fl == "#") return false;
    if (*fl == "+") {
      if (*rl != "+") return false;
    } else if (*rl == "+") {
      if (first && is_dollar(*fl)) return false;
    } else if (*rl != *fl) {
      return false;
    }
  }
}

bool intersects(std::string_view rule, std::string_view filter) noexcept {
  levels r(rule), f(filter);
  for (bool first = true;; first = false) {
    auto a = r.next();
    auto b = f.next();
    if (!a && !b) return true;
    if ((a && *a == "#") || (b && *b == "#")) {
      // "a/#" also matches "a"; at the first level a '$' literal meets no wildcard.
      if (!first) return true;
      if (a && !is_wild(*a) && is_dollar(*a)) return false;
      if (b && !is_wild(*b) && is_dollar(*b)) return false;
      return true;
    }
    if (!a || !b) return false;
    if (*a == "+" || *b == "+") {
      if (first && ((!is_wild(*a) && is_dollar(*a)) || (!is_wild(*b) && is_dollar(*b))))
        return false;
      continue;
    }
    if (*a != *b) return false;
  }
}

}  // namespace edgegw::acl::detail
