// edgegw configuration: load built-in defaults, then an ini file, then `--set` overrides,
// checked against the schema (schema.hpp). Every problem is collected, each as
// `FILE:LINE: message`, so `edgegw --check` lists them all at once. The result is an
// immutable `values` with typed getters keyed by the full dotted name
// ("listener.tcp.default.bind").
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/schema.hpp"

namespace edgegw::config {

namespace detail {
class builder;
}

struct problem {
  std::string where;  // file name, or "--set"
  int line = 0;       // 1-based; for --set the override's position; 0 = whole source
  std::string message;
  std::string str() const;  // "FILE:LINE: message"
};

// Where a value came from, for messages by the modules that use it ("port in use").
struct origin {
  std::string where;  // "" = built-in default
  int line = 0;
  std::string str() const;  // "FILE:LINE", "--set:N" or "default"
};

// Read-only, fully checked configuration. Getters take the full dotted key; asking for
// a key that is not in the schema, for an instance that was not configured or with the
// wrong type is a programming error and throws std::logic_error.
class values {
 public:
  bool get_bool(std::string_view key) const;
  std::int64_t get_int(std::string_view key) const;
  double get_double(std::string_view key) const;
  std::chrono::milliseconds get_duration(std::string_view key) const;  // max() = infinity
  std::uint64_t get_size(std::string_view key) const;                  // bytes
  const std::string& get_string(std::string_view key) const;           // string, enumeration, path
  std::filesystem::path get_path(std::string_view key) const;
  const std::vector<std::string>& get_list(std::string_view key) const;
  const endpoint& get_endpoint(std::string_view key) const;
  const value& get_value(std::string_view key) const;

  bool contains(std::string_view key) const;
  origin origin_of(std::string_view key) const;

  // Instance names of a pattern section, sorted: instances("listener.tcp") -> {"default"}.
  std::vector<std::string> instances(std::string_view section_prefix) const;
  // Full keys starting with prefix, sorted: keys_with_prefix("gateway.mqttsn.predefined.").
  std::vector<std::string> keys_with_prefix(std::string_view prefix) const;

  // The whole configuration as ini text, with each key's doc as a comment.
  std::string render() const;

 private:
  friend class detail::builder;
  struct entry {
    const key_spec* spec = nullptr;
    value val;
    origin from;
  };
  const entry& find(std::string_view key) const;

  std::map<std::string, entry, std::less<>> entries_;
  // pattern section without ".*" -> instance names
  std::map<std::string, std::set<std::string>, std::less<>> instances_;
};

struct load_result {
  std::optional<values> config;  // set exactly when problems is empty
  std::vector<problem> problems;
};

// Most problems reported before giving up on a source (a binary file is not worth 10^5 lines).
inline constexpr std::size_t max_problems = 100;
// Largest configuration file read.
inline constexpr std::uintmax_t max_file_size = 1024 * 1024;

// `variables` supplies ${name} values that are not config keys, e.g. {"serial", "A1B2"}.
load_result load(const std::optional<std::filesystem::path>& file,
                 std::span<const std::string> overrides,
                 const std::map<std::string, std::string>& variables = {});
// Same, with the file's text given; `name` stands for the file name in problems.
load_result load_text(std::string_view text, std::string_view name,
                      std::span<const std::string> overrides = {},
                      const std::map<std::string, std::string>& variables = {});

// Ini text of the built-in defaults, every key with its doc; equals etc/edgegw.ini in values.
std::string render_defaults();

}  // namespace edgegw::config
