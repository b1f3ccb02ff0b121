// Object definition files (JSON, one object per file) and the registry of loaded objects.
#include "object_registry.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace edgegw::lwm2m {

namespace {

using json = nlohmann::json;

result<uint16_t> get_id(const json& j, const std::string& where) {
  if (!j.contains("id")) return fail(where + "id: missing");
  const auto& v = j["id"];
  if (!v.is_number_unsigned() || v.get<uint64_t>() >= 65535)
    return fail(where + "id: must be an integer 0-65534");
  return uint16_t(v.get<uint64_t>());
}

result<bool> get_bool(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return false;
  if (!j[key].is_boolean()) return fail(where + key + ": must be true or false");
  return j[key].get<bool>();
}

result<std::string> get_string(const json& j, const char* key, const std::string& where,
                               bool required) {
  if (!j.contains(key)) {
    if (required) return fail(where + key + ": missing");
    return std::string();
  }
  if (!j[key].is_string()) return fail(where + key + ": must be a string");
  return j[key].get<std::string>();
}

result<void> known_keys(const json& j, std::initializer_list<std::string_view> keys,
                        const std::string& where) {
  for (const auto& [k, v] : j.items())
    if (std::find(keys.begin(), keys.end(), k) == keys.end())
      return fail(where + k + ": unknown key");
  return outcome::success();
}

result<operations> parse_operations(std::string_view s) {
  if (s.empty()) return operations::none;
  if (s == "R") return operations::r;
  if (s == "W") return operations::w;
  if (s == "RW") return operations::rw;
  if (s == "E") return operations::e;
  return fail("must be one of R, W, RW, E or \"\"");
}

result<resource_def> parse_resource(const json& j, const std::string& where) {
  if (!j.is_object()) return fail(where.substr(0, where.size() - 1) + ": must be an object");
  if (auto k = known_keys(j,
                          {"id", "name", "type", "operations", "multiple", "mandatory", "units",
                           "description", "range"},
                          where);
      !k)
    return k.error();
  resource_def r;
  auto id = get_id(j, where);
  if (!id) return id.error();
  r.id = id.value();
  auto name = get_string(j, "name", where, true);
  if (!name) return name.error();
  r.name = name.value();
  auto ops = get_string(j, "operations", where, true);
  if (!ops) return ops.error();
  auto op = parse_operations(ops.value());
  if (!op) return fail(where + "operations: " + op.error().reason);
  r.operations = op.value();
  auto type = get_string(j, "type", where, r.operations != operations::e);
  if (!type) return type.error();
  auto t = parse_value_type(type.value());
  if (!t) return fail(where + "type: " + t.error().reason);
  r.type = t.value();
  if (r.type == value_type::none && r.operations != operations::e)
    return fail(where + "type: only executable resources may have no type");
  auto multiple = get_bool(j, "multiple", where);
  if (!multiple) return multiple.error();
  r.multiple = multiple.value();
  auto mandatory = get_bool(j, "mandatory", where);
  if (!mandatory) return mandatory.error();
  r.mandatory = mandatory.value();
  auto units = get_string(j, "units", where, false);
  if (!units) return units.error();
  r.units = units.value();
  auto desc = get_string(j, "description", where, false);
  if (!desc) return desc.error();
  r.description = desc.value();
  if (j.contains("range") && !j["range"].is_string())
    return fail(where + "range: must be a string");
  return r;
}

}  // namespace

const resource_def* object_def::find(uint16_t resource_id) const {
  auto it = std::lower_bound(resources.begin(), resources.end(), resource_id,
                             [](const resource_def& r, uint16_t want) { return r.id < want; });
  return it != resources.end() && it->id == resource_id ? &*it : nullptr;
}

result<object_def> parse_object_def(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return fail("not valid JSON");
  if (!j.is_object()) return fail("must be a JSON object");
  const std::string top;
  if (auto k = known_keys(
          j, {"id", "name", "urn", "multiple", "mandatory", "description", "version", "resources"},
          top);
      !k)
    return k.error();
  object_def o;
  auto id = get_id(j, top);
  if (!id) return id.error();
  o.id = id.value();
  auto name = get_string(j, "name", top, true);
  if (!name) return name.error();
  o.name = name.value();
  auto urn = get_string(j, "urn", top, false);
  if (!urn) return urn.error();
  o.urn = urn.value();
  auto multiple = get_bool(j, "multiple", top);
  if (!multiple) return multiple.error();
  o.multiple = multiple.value();
  auto mandatory = get_bool(j, "mandatory", top);
  if (!mandatory) return mandatory.error();
  o.mandatory = mandatory.value();
  if (auto d = get_string(j, "description", top, false); !d) return d.error();
  if (auto v = get_string(j, "version", top, false); !v) return v.error();
  if (!j.contains("resources") || !j["resources"].is_array())
    return fail("resources: missing or not an array");
  std::set<uint16_t> seen;
  const auto& res = j["resources"];
  for (std::size_t i = 0; i < res.size(); ++i) {
    auto r = parse_resource(res[i], "resources[" + std::to_string(i) + "].");
    if (!r) return r.error();
    if (!seen.insert(r.value().id).second)
      return fail("resources[" + std::to_string(i) + "].id: duplicate id " +
                  std::to_string(r.value().id));
    o.resources.push_back(std::move(r).value());
  }
  std::sort(o.resources.begin(), o.resources.end(),
            [](const resource_def& a, const resource_def& b) { return a.id < b.id; });
  return o;
}

void object_registry::add(object_def def) {
  const uint16_t id = def.id;
  objects_.insert_or_assign(id, std::move(def));
}

const object_def* object_registry::find(uint16_t object_id) const {
  auto it = objects_.find(object_id);
  return it == objects_.end() ? nullptr : &it->second;
}

const resource_def* object_registry::find(uint16_t object_id, uint16_t resource_id) const {
  const object_def* o = find(object_id);
  return o ? o->find(resource_id) : nullptr;
}

value_type object_registry::type_of(uint16_t object_id, uint16_t resource_id,
                                    value_type fallback) const {
  const resource_def* r = find(object_id, resource_id);
  return r ? r->type : fallback;
}

result<object_registry, std::vector<std::string>> object_registry::load_directory(
    const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(dir, ec), end;
  if (ec) return outcome::failure(std::vector<std::string>{dir.string() + ": " + ec.message()});
  for (; it != end; it.increment(ec)) {
    if (ec) break;
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) return outcome::failure(std::vector<std::string>{dir.string() + ": " + ec.message()});
  std::sort(files.begin(), files.end());
  object_registry reg;
  std::vector<std::string> errors;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      errors.push_back(f.string() + ": cannot read");
      continue;
    }
    auto def = parse_object_def(text.str());
    if (!def) {
      errors.push_back(f.string() + ": " + def.error().reason);
      continue;
    }
    reg.add(std::move(def).value());
  }
  if (!errors.empty()) return outcome::failure(std::move(errors));
  return reg;
}

}  // namespace edgegw::lwm2m
