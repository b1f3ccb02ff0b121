// ${...} substitution in text values, run once all sources are applied so a reference
// sees the final value. ${section.key} names a text key, ${name} a caller variable
// (serial); keys marked runtime_template keep ${clientid}-style placeholders for the
// adapters. "$${" is a literal "${". References resolve depth-first with cycle detection.
#include <algorithm>

#include "gateway/config/detail/builder.hpp"
#include "gateway/config/detail/value_parser.hpp"

namespace edgegw::config::detail {
namespace {

bool is_text(value_type t) {
  return t == value_type::string || t == value_type::path;
}

std::string where_of(const origin& o) {
  return o.where.empty() ? "(defaults)" : o.where;
}

}  // namespace

void builder::substitute() {
  marks_.clear();
  for (const auto& [key, e] : values_.entries_) {
    if (is_text(e.spec->type) || e.spec->type == value_type::list) resolve(key);
  }
}

bool builder::resolve(const std::string& key) {
  auto [m, fresh] = marks_.try_emplace(key, mark::active);
  if (!fresh) return m->second == mark::done;  // active: a cycle, reported by the caller
  values::entry& e = values_.entries_.find(key)->second;
  bool ok = true;
  if (auto* s = std::get_if<std::string>(&e.val)) {
    ok = expand(key, e, *s);
    if (ok && static_cast<std::int64_t>(s->size()) < e.spec->min) {
      add_problem(where_of(e.from), e.from.line, key + " is empty after substitution");
    }
  } else if (auto* list = std::get_if<std::vector<std::string>>(&e.val)) {
    for (auto& item : *list) ok = expand(key, e, item) && ok;
  }
  // Done even on failure: the problem is reported once, and no config is returned.
  marks_[key] = mark::done;
  return ok;
}

bool builder::expand(const std::string& key, const values::entry& e, std::string& text) {
  if (text.find('$') == std::string::npos) return true;
  auto fail = [&](std::string message) {
    add_problem(where_of(e.from), e.from.line, key + ": " + message);
    return false;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    auto close = text.find('}', i + 2);
    if (close == std::string::npos) return fail("unterminated \"${\"");
    std::string name = text.substr(i + 2, close - i - 2);
    i = close + 1;
    if (auto target = values_.entries_.find(name); target != values_.entries_.end()) {
      value_type t = target->second.spec->type;
      if (!is_text(t) && t != value_type::enumeration) {
        return fail("${" + name + "} is not a text key");
      }
      if (is_text(t) && !resolve(name)) {
        if (marks_[name] == mark::active) return fail("circular reference through ${" + name + "}");
        return false;  // the problem is reported for `name`
      }
      out += std::get<std::string>(target->second.val);
    } else if (auto var = variables_.find(name); var != variables_.end()) {
      out += var->second;
    } else if (e.spec->runtime_template &&
               std::ranges::find(runtime_placeholders(), name) != runtime_placeholders().end()) {
      out += "${" + name + "}";
    } else {
      return fail("unknown variable ${" + printable(name) + "}");
    }
  }
  text = std::move(out);
  return true;
}

}  // namespace edgegw::config::detail
