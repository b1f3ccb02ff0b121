// Applies defaults, the ini file and --set overrides to a values object; see builder.hpp.
#include "gateway/config/detail/builder.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "gateway/config/detail/suggest.hpp"
#include "gateway/config/detail/value_parser.hpp"

namespace edgegw::config::detail {
namespace {

constexpr std::string_view override_source = "--set";
constexpr std::string_view defaults_source = "(defaults)";

// "listener.tcp.*" -> "listener.tcp"; "" for a plain section.
std::string_view instance_base(std::string_view pattern) {
  return pattern.ends_with(".*") ? pattern.substr(0, pattern.size() - 2) : std::string_view{};
}

std::string display_pattern(std::string_view pattern) {
  std::string out(pattern);
  if (auto star = out.find('*'); star != std::string::npos) out.replace(star, 1, "NAME");
  return out;
}

int source_rank(const problem& p) {
  if (p.where == override_source) return 1;
  if (p.where == defaults_source) return 2;
  return 0;
}

}  // namespace

const value& default_value(const key_spec& spec) {
  static const std::vector<value> parsed = [] {
    std::vector<value> out;
    for (const auto& k : keys()) {
      if (k.dynamic()) {
        out.emplace_back();
        continue;
      }
      auto r = parse_value(k, k.default_text);
      if (!r.parsed) {
        throw std::logic_error("config schema: bad default for " + std::string(k.section) + "." +
                               std::string(k.key) + ": " + r.error);
      }
      out.push_back(std::move(*r.parsed));
    }
    return out;
  }();
  // Only rows of the table have a default; std::less orders unrelated pointers too.
  const key_spec* first = keys().data();
  std::less<const key_spec*> before;
  if (before(&spec, first) || !before(&spec, first + keys().size()) || spec.dynamic()) {
    throw std::logic_error("config schema: no default for this key");
  }
  return parsed[static_cast<std::size_t>(&spec - first)];
}

builder::builder(const std::map<std::string, std::string>& variables) : variables_(variables) {}

void builder::add_problem(std::string where, int line, std::string message) {
  if (problems_.size() >= max_problems) {
    if (!truncated_) truncated_where_ = where;
    truncated_ = true;
    return;
  }
  problems_.push_back({std::move(where), line, std::move(message)});
}

void builder::on_problem(int line, std::string message) {
  add_problem(source_, line, std::move(message));
}

void builder::add_defaults() {
  for (const auto& s : sections()) {
    if (instance_base(s.pattern).empty()) {
      ensure_instance(s, s.pattern);
    } else if (!s.default_instance.empty()) {
      ensure_instance(
          s, std::string(instance_base(s.pattern)) + "." + std::string(s.default_instance));
    }
  }
}

void builder::ensure_instance(const section_spec& spec, std::string_view section) {
  std::string_view base = instance_base(spec.pattern);
  if (!base.empty()) {
    auto& names = values_.instances_[std::string(base)];
    if (!names.insert(std::string(section.substr(base.size() + 1))).second) return;
  }
  for (const auto& k : keys()) {
    if (k.section != spec.pattern || k.dynamic()) continue;
    std::string full = std::string(section) + "." + std::string(k.key);
    values_.entries_.try_emplace(full, values::entry{&k, default_value(k), origin{}});
  }
}

void builder::set(const key_spec& spec, const std::string& full_key, std::string_view text,
                  const origin& from) {
  auto r = parse_value(spec, text);
  if (!r.parsed) {
    add_problem(from.where, from.line,
                "bad value \"" + printable(text) + "\" for " + full_key + ": " + r.error);
    return;
  }
  values_.entries_.insert_or_assign(full_key, values::entry{&spec, std::move(*r.parsed), from});
}

void builder::add_ini(std::string_view text, std::string_view name) {
  source_ = name;
  section_.clear();
  state_ = section_state::none;
  seen_.clear();
  parse_ini(text, *this);
}

void builder::on_section(std::string_view name, int line) {
  const section_spec* spec = name.empty() ? nullptr : find_section(name);
  if (!spec) {
    add_problem(source_, line, unknown_section_message(name));
    state_ = section_state::invalid;
    return;
  }
  section_ = name;
  state_ = section_state::valid;
  ensure_instance(*spec, name);
}

void builder::on_bad_section(int) {
  state_ = section_state::invalid;
}

void builder::on_key(std::string_view key, std::string_view text, int line) {
  if (state_ == section_state::invalid) return;  // its header was reported already
  if (key.empty()) {
    add_problem(source_, line, "missing key name before '='");
    return;
  }
  if (state_ == section_state::none) {
    add_problem(source_, line,
                "key \"" + printable(key) + "\" is outside any section; put it under a [section]");
    return;
  }
  const key_spec* spec = find_key(section_, key);
  if (!spec) {
    add_problem(source_, line, unknown_key_message(section_, key, false));
    return;
  }
  std::string full = section_ + "." + std::string(key);
  if (auto [it, fresh] = seen_.try_emplace(full, line); !fresh) {
    add_problem(source_, line,
                "duplicate key \"" + std::string(key) + "\" in [" + section_ +
                    "] (first set on line " + std::to_string(it->second) + ")");
    return;
  }
  set(*spec, full, text, origin{source_, line});
}

void builder::add_overrides(std::span<const std::string> overrides) {
  std::string where(override_source);
  int line = 0;
  for (const auto& o : overrides) {
    ++line;
    if (truncated_) break;
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      add_problem(where, line, "expected SECTION.KEY=VALUE, got \"" + printable(o) + "\"");
      continue;
    }
    std::string full(trim(std::string_view(o).substr(0, eq)));
    std::string_view text = trim(std::string_view(o).substr(eq + 1));
    resolved_key r = resolve_key(full);
    if (!r.spec) {
      add_problem(where, line, unknown_full_key_message(full));
      continue;
    }
    std::string_view section = std::string_view(full).substr(0, r.section_length);
    const section_spec* sec = find_section(section);
    if (!sec) throw std::logic_error("config schema: key in undeclared section " + full);
    ensure_instance(*sec, section);
    set(*r.spec, full, text, origin{where, line});
  }
}

std::string builder::unknown_section_message(std::string_view section) const {
  std::string shown = printable(section);
  if (section.empty()) return "empty section name";
  std::vector<std::string> candidates;
  std::string_view last = section.substr(section.rfind('.') + 1);
  for (const auto& s : sections()) {
    std::string_view base = instance_base(s.pattern);
    if (base.empty()) {
      candidates.emplace_back(s.pattern);
      continue;
    }
    if (section == base) {
      return "section [" + shown + "] needs a name, as in [" + std::string(base) + "." +
             std::string(s.default_instance.empty() ? "NAME" : s.default_instance) + "]";
    }
    if (section.starts_with(std::string(base) + ".")) {
      return "invalid name in [" + shown + "]: after \"" + std::string(base) +
             ".\" use one name of letters, digits, '_' and '-'";
    }
    candidates.push_back(std::string(base) + "." + std::string(last));
  }
  std::string msg = "unknown section [" + shown + "]";
  if (auto best = closest(section, candidates); !best.empty()) {
    msg += " (did you mean [" + best + "]?)";
  }
  return msg;
}

std::string builder::unknown_key_message(std::string_view section, std::string_view key,
                                         bool dotted) const {
  // --set names keys in full ("mqtt.max_inflight"), the file by section and key.
  std::string prefix = dotted ? std::string(section) + "." : std::string();
  const section_spec* sec = find_section(section);
  std::vector<std::string> candidates;
  std::string elsewhere;
  for (const auto& k : keys()) {
    if (k.dynamic()) continue;
    if (sec && k.section == sec->pattern) {
      candidates.push_back(prefix + std::string(k.key));
    } else if (k.key == key && elsewhere.empty()) {
      elsewhere = display_pattern(k.section);
    }
  }
  std::string shown = prefix + std::string(key);
  std::string msg = "unknown key \"" + printable(shown) + "\"";
  if (!dotted) msg += " in [" + printable(section) + "]";
  if (auto best = closest(shown, candidates); !best.empty()) {
    msg += " (did you mean \"" + best + "\"?)";
  } else if (!elsewhere.empty()) {
    msg += " (it belongs in [" + elsewhere + "])";
  }
  return msg;
}

std::string builder::unknown_full_key_message(std::string_view full_key) const {
  auto dot = full_key.rfind('.');
  if (dot == std::string_view::npos) {
    return "expected SECTION.KEY=VALUE, got key \"" + printable(full_key) + "\"";
  }
  std::string_view section = full_key.substr(0, dot);
  if (find_section(section)) return unknown_key_message(section, full_key.substr(dot + 1), true);
  std::vector<std::string> candidates;
  for (const auto& [k, e] : values_.entries_) candidates.push_back(k);
  std::string msg = "unknown key \"" + printable(full_key) + "\"";
  if (auto best = closest(full_key, candidates); !best.empty()) {
    msg += " (did you mean \"" + best + "\"?)";
  }
  return msg;
}

load_result builder::finish() {
  // The file's problems first, in line order, then --set's; the "too many" note last.
  std::stable_sort(problems_.begin(), problems_.end(), [](const problem& a, const problem& b) {
    int ra = source_rank(a);
    int rb = source_rank(b);
    return ra != rb ? ra < rb : a.line < b.line;
  });
  if (truncated_) {
    problems_.push_back(
        {truncated_where_, 0, "too many problems; stopped after " + std::to_string(max_problems)});
  }
  load_result out;
  out.problems = std::move(problems_);
  if (out.problems.empty()) out.config = std::move(values_);
  return out;
}

}  // namespace edgegw::config::detail
