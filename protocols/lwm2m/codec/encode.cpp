// Write encoders: TLV trees from {path, value} lists, plain text, write-attribute queries.
#include "encode.hpp"

#include <algorithm>

#include "detail/text_number.hpp"
#include "tlv.hpp"

namespace edgegw::lwm2m {

namespace {

tlv leaf(tlv_kind kind, uint16_t id, const value& v) {
  tlv t;
  t.kind = kind;
  t.id = id;
  t.value = tlv_value_bytes(v);
  return t;
}

// Find the child with this id (of any kind) or nullptr.
tlv* find_child(std::vector<tlv>& items, uint16_t id) {
  auto it = std::find_if(items.begin(), items.end(), [&](const tlv& t) { return t.id == id; });
  return it == items.end() ? nullptr : &*it;
}

// Insert an entry at resource depth (3) or resource instance depth (4) into the resources
// of one instance. A later value for the same resource or instance replaces the earlier.
result<void> insert_resource(std::vector<tlv>& resources, const entry& e) {
  const uint16_t rid = e.path.resource();
  tlv* r = find_child(resources, rid);
  if (e.path.depth == 3) {
    if (r && r->kind == tlv_kind::multiple_resource)
      return fail(to_string(e.path) + ": given both as one value and as instances");
    if (r)
      *r = leaf(tlv_kind::resource_value, rid, e.value);
    else
      resources.push_back(leaf(tlv_kind::resource_value, rid, e.value));
    return outcome::success();
  }
  if (!r) {
    tlv m;
    m.kind = tlv_kind::multiple_resource;
    m.id = rid;
    resources.push_back(std::move(m));
    r = &resources.back();
  } else if (r->kind != tlv_kind::multiple_resource) {
    return fail(to_string(e.path) + ": given both as one value and as instances");
  }
  const uint16_t ri = e.path.resource_instance();
  if (tlv* inst = find_child(r->children, ri))
    *inst = leaf(tlv_kind::resource_instance, ri, e.value);
  else
    r->children.push_back(leaf(tlv_kind::resource_instance, ri, e.value));
  return outcome::success();
}

}  // namespace

result<std::vector<uint8_t>> encode_tlv(const path& base, const entry_list& entries) {
  if (base.depth == 0) return fail("a write needs an object path");
  std::vector<tlv> top;
  for (const auto& e : entries) {
    if (!base.contains(e.path)) return fail(to_string(e.path) + " is not under " + to_string(base));
    if (e.path.depth < 3 && !(base.depth == 4 && e.path == base))
      return fail(to_string(e.path) + ": values go on resources");
    switch (base.depth) {
      case 4:
        top.clear();
        top.push_back(leaf(tlv_kind::resource_instance, e.path.resource_instance(), e.value));
        break;
      case 3:
      case 2:
        if (auto r = insert_resource(top, e); !r) return r.error();
        break;
      case 1: {
        tlv* inst = find_child(top, e.path.instance());
        if (!inst) {
          tlv t;
          t.kind = tlv_kind::object_instance;
          t.id = e.path.instance();
          top.push_back(std::move(t));
          inst = &top.back();
        }
        if (auto r = insert_resource(inst->children, e); !r) return r.error();
        break;
      }
      default:
        break;
    }
  }
  std::vector<uint8_t> out;
  tlv_write(top, out);
  return out;
}

result<std::string> encode_text(const value& v) {
  struct visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(uint64_t u) const { return std::to_string(u); }
    std::string operator()(double d) const { return detail::format_float(d); }
    std::string operator()(bool b) const { return b ? "1" : "0"; }
    std::string operator()(const opaque_value& o) const { return base64_encode(o.bytes); }
    std::string operator()(const time_value& t) const { return std::to_string(t.seconds); }
    std::string operator()(const objlnk_value& l) const {
      return std::to_string(l.object_id) + ":" + std::to_string(l.instance_id);
    }
    std::string operator()(const corelnk_value& c) const { return c.text; }
  };
  if (auto* d = std::get_if<double>(&v); d && *d != *d) return fail("NaN has no text form");
  return std::visit(visitor{}, v);
}

std::vector<std::string> encode_query(const write_attributes& attrs) {
  std::vector<std::string> out;
  auto add = [&](const char* key, const std::optional<std::string>& v) {
    if (!v) return;
    out.push_back(v->empty() ? std::string(key) : std::string(key) + "=" + *v);
  };
  add("pmin", attrs.pmin);
  add("pmax", attrs.pmax);
  add("gt", attrs.gt);
  add("lt", attrs.lt);
  add("st", attrs.st);
  return out;
}

}  // namespace edgegw::lwm2m
