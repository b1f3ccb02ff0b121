// LwM2M object definitions (id, name, resources with id, name, type, operations, multiple)
// and the registry the decoders consult to type values. Definitions are JSON files, one
// object per file, loaded from a directory (etc/lwm2m/ ships objects 0-7 and the IPSO
// 3300 series; docs/LWM2M.md documents the format). Objects or resources the registry does
// not know decode with a generic fallback instead of failing: see fallback_type().
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"
#include "value.hpp"

namespace edgegw::lwm2m {

enum class operations : uint8_t { none, r, w, rw, e };

struct resource_def {
  uint16_t id = 0;
  std::string name;
  value_type type = value_type::string;
  lwm2m::operations operations = operations::r;
  bool multiple = false;
  bool mandatory = false;
  std::string units;
  std::string description;
};

struct object_def {
  uint16_t id = 0;
  std::string name;
  std::string urn;
  bool multiple = false;
  bool mandatory = false;
  std::vector<resource_def> resources;  // sorted by id

  const resource_def* find(uint16_t resource_id) const;
};

// Parse one definition file's text. Errors name the offending field ("resources[3].type:
// unknown type 'Strng'"); the loader prefixes the file name.
result<object_def> parse_object_def(std::string_view json_text);

// The type given to a resource no definition describes: opaque for binary formats (TLV,
// opaque), string for plain text. JSON and SenML records carry their own type.
inline constexpr value_type fallback_type = value_type::opaque;

class object_registry {
 public:
  // Adds or replaces (a later definition of the same id wins, so users override shipped
  // objects by adding a file of their own).
  void add(object_def def);
  const object_def* find(uint16_t object_id) const;
  const resource_def* find(uint16_t object_id, uint16_t resource_id) const;
  // The resource's type, or `fallback` when the object or resource is unknown.
  value_type type_of(uint16_t object_id, uint16_t resource_id,
                     value_type fallback = fallback_type) const;
  std::size_t size() const { return objects_.size(); }

  // Load every *.json file of `dir` (sorted by name, not recursive). On failure returns one
  // message per bad file, each "FILE: reason"; a missing directory is an error too.
  static result<object_registry, std::vector<std::string>> load_directory(
      const std::filesystem::path& dir);

 private:
  std::map<uint16_t, object_def> objects_;
};

}  // namespace edgegw::lwm2m
