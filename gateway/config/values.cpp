// Typed access to a loaded configuration. A wrong key or type is a bug in the caller,
// not a user error (the loader already checked the user's input), hence logic_error.
#include <stdexcept>

#include "gateway/config/config.hpp"

namespace edgegw::config {
namespace {

std::string_view type_name(value_type t) {
  switch (t) {
    case value_type::boolean:
      return "boolean";
    case value_type::integer:
      return "integer";
    case value_type::number:
      return "number";
    case value_type::duration:
      return "duration";
    case value_type::size:
      return "size";
    case value_type::string:
      return "string";
    case value_type::enumeration:
      return "enumeration";
    case value_type::endpoint:
      return "endpoint";
    case value_type::list:
      return "list";
    case value_type::path:
      return "path";
  }
  return "?";
}

}  // namespace

const values::entry& values::find(std::string_view key) const {
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  if (!resolve_key(key).spec) {
    throw std::logic_error("config: no key \"" + std::string(key) + "\" in the schema");
  }
  throw std::logic_error("config: \"" + std::string(key) +
                         "\" has no value: its instance or dynamic key is not configured");
}

namespace {
template <class T>
const T& typed(const value& v, value_type actual, std::string_view key,
               std::initializer_list<value_type> wanted) {
  for (auto w : wanted) {
    if (w == actual) return std::get<T>(v);
  }
  throw std::logic_error("config: \"" + std::string(key) + "\" is a " +
                         std::string(type_name(actual)) + ", not a " +
                         std::string(type_name(*wanted.begin())));
}
}  // namespace

bool values::get_bool(std::string_view key) const {
  const entry& e = find(key);
  return typed<bool>(e.val, e.spec->type, key, {value_type::boolean});
}

std::int64_t values::get_int(std::string_view key) const {
  const entry& e = find(key);
  return typed<std::int64_t>(e.val, e.spec->type, key, {value_type::integer});
}

double values::get_double(std::string_view key) const {
  const entry& e = find(key);
  return typed<double>(e.val, e.spec->type, key, {value_type::number});
}

std::chrono::milliseconds values::get_duration(std::string_view key) const {
  const entry& e = find(key);
  return typed<std::chrono::milliseconds>(e.val, e.spec->type, key, {value_type::duration});
}

std::uint64_t values::get_size(std::string_view key) const {
  const entry& e = find(key);
  return typed<std::uint64_t>(e.val, e.spec->type, key, {value_type::size});
}

const std::string& values::get_string(std::string_view key) const {
  const entry& e = find(key);
  return typed<std::string>(e.val, e.spec->type, key,
                            {value_type::string, value_type::enumeration, value_type::path});
}

std::filesystem::path values::get_path(std::string_view key) const {
  const entry& e = find(key);
  return typed<std::string>(e.val, e.spec->type, key, {value_type::path});
}

const std::vector<std::string>& values::get_list(std::string_view key) const {
  const entry& e = find(key);
  return typed<std::vector<std::string>>(e.val, e.spec->type, key, {value_type::list});
}

const endpoint& values::get_endpoint(std::string_view key) const {
  const entry& e = find(key);
  return typed<endpoint>(e.val, e.spec->type, key, {value_type::endpoint});
}

const value& values::get_value(std::string_view key) const {
  return find(key).val;
}

bool values::contains(std::string_view key) const {
  return entries_.contains(key);
}

origin values::origin_of(std::string_view key) const {
  return find(key).from;
}

std::vector<std::string> values::instances(std::string_view section_prefix) const {
  std::string pattern = std::string(section_prefix) + ".*";
  bool known = false;
  for (const auto& s : sections()) known = known || s.pattern == pattern;
  if (!known) {
    throw std::logic_error("config: no section [" + pattern + "] in the schema");
  }
  auto it = instances_.find(section_prefix);
  if (it == instances_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<std::string> values::keys_with_prefix(std::string_view prefix) const {
  std::vector<std::string> out;
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.starts_with(prefix); ++it) {
    out.push_back(it->first);
  }
  return out;
}

}  // namespace edgegw::config
