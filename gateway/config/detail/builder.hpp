// Builds a config::values from the schema defaults, one ini text and the --set
// overrides, collecting every problem. Not part of the public API: config::load drives it.
#pragma once
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/config/detail/ini_reader.hpp"

namespace edgegw::config::detail {

// The built-in default of a key, parsed once. Throws std::logic_error if the schema's
// default text does not parse (a schema bug, caught by the unit tests).
const value& default_value(const key_spec& spec);

class builder final : public ini_events {
 public:
  explicit builder(const std::map<std::string, std::string>& variables);

  void add_defaults();
  void add_ini(std::string_view text, std::string_view name);
  void add_overrides(std::span<const std::string> overrides);
  void add_problem(std::string where, int line, std::string message);
  void substitute();  // ${...} in text values, after all sources
  load_result finish();

  // ini_events
  void on_section(std::string_view name, int line) override;
  void on_bad_section(int line) override;
  void on_key(std::string_view key, std::string_view text, int line) override;
  void on_problem(int line, std::string message) override;
  bool stopped() const override { return truncated_; }

 private:
  enum class section_state : uint8_t { none, valid, invalid };
  enum class mark : uint8_t { active, done };

  void ensure_instance(const section_spec& spec, std::string_view section);
  void set(const key_spec& spec, const std::string& full_key, std::string_view text,
           const origin& from);
  std::string unknown_section_message(std::string_view section) const;
  std::string unknown_key_message(std::string_view section, std::string_view key,
                                  bool dotted) const;
  std::string unknown_full_key_message(std::string_view full_key) const;
  bool resolve(const std::string& key);
  bool expand(const std::string& key, const values::entry& e, std::string& text);

  const std::map<std::string, std::string>& variables_;
  values values_;
  std::vector<problem> problems_;
  bool truncated_ = false;
  std::string truncated_where_;
  // current ini source
  std::string source_;
  std::string section_;
  section_state state_ = section_state::none;
  std::map<std::string, int, std::less<>> seen_;    // full key -> line, duplicate check
  std::map<std::string, mark, std::less<>> marks_;  // substitution progress
};

}  // namespace edgegw::config::detail
