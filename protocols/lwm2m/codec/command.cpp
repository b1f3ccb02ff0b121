// dn JSON commands -> CoAP requests, following what EMQX's LwM2M gateway sends for each
// msgType (method, options, payload), with validation EMQX lacks: a bad command gets a
// reason instead of being dropped.
#include "command.hpp"

#include <algorithm>

#include "content_format.hpp"
#include "detail/text_number.hpp"
#include "detail/utf8.hpp"
#include "encode.hpp"

namespace edgegw::lwm2m {

namespace {

using json = nlohmann::json;

// A path string from data[key] split into the path and its "?a=b&c" query.
struct path_and_query {
  std::string text;  // without the query: the reqPath
  lwm2m::path path;
  std::vector<std::string> query;
};

result<path_and_query> get_path(const json& data, const char* key, uint8_t min_depth,
                                uint8_t max_depth) {
  if (!data.contains(key)) return fail(std::string("data.") + key + " missing");
  if (!data[key].is_string()) return fail(std::string("data.") + key + " must be a string");
  const std::string& full = data[key].get_ref<const std::string&>();
  path_and_query out;
  const auto q = full.find('?');
  out.text = full.substr(0, q);
  if (q != std::string::npos) {
    std::string_view rest = std::string_view(full).substr(q + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      if (amp != 0) out.query.emplace_back(rest.substr(0, amp));
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
  }
  auto p = parse_path(out.text);
  if (!p) return p.error();
  out.path = p.value();
  if (out.path.depth < min_depth || out.path.depth > max_depth) {
    static constexpr const char* names[] = {"", "/obj", "/obj/inst", "/obj/inst/res",
                                            "/obj/inst/res/ri"};
    return fail(std::string("data.") + key + " must be " + names[min_depth] +
                (min_depth == max_depth ? "" : std::string(" to ") + names[max_depth]));
  }
  return out;
}

result<msg_type> parse_msg_type(std::string_view s) {
  static constexpr msg_type all[] = {
      msg_type::read,       msg_type::discover, msg_type::write,
      msg_type::write_attr, msg_type::execute,  msg_type::create,
      msg_type::delete_,    msg_type::observe,  msg_type::cancel_observe};
  for (auto t : all)
    if (to_string(t) == s) return t;
  return fail("unknown msgType " + detail::quote(s));
}

// One {path, type, value} of a write or create at `at`.
result<entry> typed_entry(const json& item, const path& at, const object_registry& objects,
                          opaque_encoding enc, const std::string& where) {
  if (!item.contains("value")) return fail(where + "value missing");
  value_type t;
  if (item.contains("type")) {
    if (!item["type"].is_string()) return fail(where + "type must be a string");
    auto pt = parse_value_type(item["type"].get_ref<const std::string&>());
    if (!pt) return fail(where + pt.error().reason);
    t = pt.value();
  } else if (const resource_def* r = objects.find(at.object(), at.resource())) {
    t = r->type;
  } else {
    return fail(where + "type missing and " + to_string(at) + " has no object definition");
  }
  if (t == value_type::none) return fail(where + "type must name a value type");
  auto v = value_from_json(item["value"], t, enc);
  if (!v) return fail(where + v.error().reason);
  return entry{at, std::move(v).value()};
}

// Entries of a batch write / create: content paths are relative to basePath (as EMQX);
// a path that only fits as an absolute one (it starts with basePath's ids and would be too
// deep appended) is taken as absolute.
result<entry_list> content_entries(const json& data, const path& base,
                                   const object_registry& objects, opaque_encoding enc,
                                   bool allow_empty) {
  if (!data.contains("content") || !data["content"].is_array())
    return fail("data.content must be a list");
  const auto& content = data["content"];
  if (content.empty() && !allow_empty) return fail("data.content is empty");
  entry_list out;
  for (std::size_t i = 0; i < content.size(); ++i) {
    const std::string where = "data.content[" + std::to_string(i) + "].";
    const auto& item = content[i];
    if (!item.is_object()) return fail(where.substr(0, where.size() - 1) + " must be an object");
    if (!item.contains("path") || !item["path"].is_string())
      return fail(where + "path must be a string");
    auto rel = parse_path(item["path"].get_ref<const std::string&>());
    if (!rel) return fail(where + rel.error().reason);
    path at = base;
    if (base.depth + rel.value().depth <= 4) {
      for (uint8_t k = 0; k < rel.value().depth; ++k) at = at.child(rel.value().ids[k]);
    } else if (base.contains(rel.value())) {
      at = rel.value();
    } else {
      return fail(where + "path " + to_string(rel.value()) + " does not fit under " +
                  to_string(base));
    }
    if (at.depth < 3) return fail(where + "path must reach a resource");
    auto e = typed_entry(item, at, objects, enc, where);
    if (!e) return e.error();
    out.push_back(std::move(e).value());
  }
  return out;
}

// A create whose content paths are all one level deep ("/5700"): resources without an
// instance id.
bool resources_only(const json& data) {
  if (!data.contains("content") || !data["content"].is_array() || data["content"].empty())
    return false;
  for (const auto& item : data["content"]) {
    if (!item.is_object() || !item.contains("path") || !item["path"].is_string()) return false;
    auto p = parse_path(item["path"].get_ref<const std::string&>());
    if (!p || p.value().depth != 1) return false;
  }
  return true;
}

result<std::string> attr_value(const json& v, const char* key, bool integer) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty()) return s;
    if (integer ? !detail::parse_uint(s) : !detail::parse_float(s))
      return fail(std::string("data.") + key + " must be a" +
                  (integer ? " non-negative integer" : " number"));
    return s;
  }
  if (integer && v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (!integer && v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (!integer && v.is_number_float()) return detail::format_float(v.get<double>());
  return fail(std::string("data.") + key + " must be a" +
              (integer ? " non-negative integer" : " number"));
}

result<void> fill(command& c, const json& data, const object_registry& objects) {
  switch (c.type) {
    case msg_type::read:
    case msg_type::discover:
    case msg_type::observe:
    case msg_type::cancel_observe:
    case msg_type::delete_: {
      auto p = get_path(data, "path", 1, 4);
      if (!p) return p.error();
      c.req_path = p.value().text;
      c.target = p.value().path;
      c.query = p.value().query;
      c.method = c.type == msg_type::delete_ ? coap_method::delete_ : coap_method::get;
      if (c.type == msg_type::discover) c.accept = content_format::link;
      if (c.type == msg_type::observe) c.observe = 0;
      if (c.type == msg_type::cancel_observe) c.observe = 1;
      return outcome::success();
    }
    case msg_type::execute: {
      auto p = get_path(data, "path", 3, 3);
      if (!p) return p.error();
      c.req_path = p.value().text;
      c.target = p.value().path;
      c.query = p.value().query;
      c.method = coap_method::post;
      c.content_format = content_format::text;
      if (data.contains("args") && !data["args"].is_null()) {
        const auto& a = data["args"];
        std::string args;
        if (a.is_string())
          args = a.get<std::string>();
        else if (a.is_number())
          args = a.dump();
        else
          return fail("data.args must be a string");
        if (args != "undefined") c.payload.assign(args.begin(), args.end());
      }
      return outcome::success();
    }
    case msg_type::write_attr: {
      auto p = get_path(data, "path", 1, 4);
      if (!p) return p.error();
      c.req_path = p.value().text;
      c.target = p.value().path;
      c.query = p.value().query;
      c.method = coap_method::put;
      write_attributes attrs;
      const std::pair<const char*, std::optional<std::string>*> keys[] = {{"pmin", &attrs.pmin},
                                                                          {"pmax", &attrs.pmax},
                                                                          {"gt", &attrs.gt},
                                                                          {"lt", &attrs.lt},
                                                                          {"st", &attrs.st}};
      for (auto [key, dst] : keys) {
        if (!data.contains(key) || data[key].is_null()) continue;
        auto v = attr_value(data[key], key, key[0] == 'p');
        if (!v) return v.error();
        *dst = std::move(v).value();
      }
      for (auto& q : encode_query(attrs)) c.query.push_back(std::move(q));
      return outcome::success();
    }
    case msg_type::write: {
      const bool batch = data.contains("basePath") && !(data["basePath"].is_string() &&
                                                        data["basePath"].get<std::string>() == "/");
      if (!batch) {
        auto p = get_path(data, "path", 3, 4);
        if (!p) return p.error();
        c.req_path = p.value().text;
        c.target = p.value().path;
        c.query = p.value().query;
        c.method = coap_method::put;
        auto e = typed_entry(data, c.target, objects, c.encoding, "data.");
        if (!e) return e.error();
        std::string fmt = "tlv";
        if (data.contains("format")) {
          if (!data["format"].is_string()) return fail("data.format must be \"tlv\" or \"text\"");
          fmt = data["format"].get<std::string>();
        }
        if (fmt == "text") {
          auto t = encode_text(e.value().value);
          if (!t) return t.error();
          c.payload.assign(t.value().begin(), t.value().end());
          c.content_format = content_format::text;
        } else if (fmt == "tlv") {
          auto t = encode_tlv(c.target, {e.value()});
          if (!t) return t.error();
          c.payload = std::move(t).value();
          c.content_format = content_format::tlv;
        } else {
          return fail("data.format must be \"tlv\" or \"text\"");
        }
        return outcome::success();
      }
      auto p = get_path(data, "basePath", 2, 3);
      if (!p) return p.error();
      c.req_path = p.value().text;
      c.target = p.value().path;
      c.query = p.value().query;
      // Write on an instance is a partial update (POST); on a resource, a replace (PUT).
      c.method = c.target.depth == 2 ? coap_method::post : coap_method::put;
      auto entries = content_entries(data, c.target, objects, c.encoding, false);
      if (!entries) return entries.error();
      auto t = encode_tlv(c.target, entries.value());
      if (!t) return t.error();
      c.payload = std::move(t).value();
      c.content_format = content_format::tlv;
      return outcome::success();
    }
    case msg_type::create: {
      auto p = get_path(data, "basePath", 1, 1);
      if (!p) return p.error();
      c.req_path = p.value().text;
      c.target = p.value().path;
      c.query = p.value().query;
      c.method = coap_method::post;
      // Content paths "/res" (no instance id) let the device pick the instance (LwM2M
      // 1.0 TS 5.4.5): the TLV then holds bare resources, not an object instance.
      path base = c.target;
      if (resources_only(data)) base = base.child(0);
      entry_list entries;
      if (data.contains("content")) {
        auto e = content_entries(data, base, objects, c.encoding, true);
        if (!e) return e.error();
        entries = std::move(e).value();
      }
      auto t = encode_tlv(base, entries);
      if (!t) return t.error();
      c.payload = std::move(t).value();
      c.content_format = content_format::tlv;
      return outcome::success();
    }
  }
  return fail("unsupported msgType");
}

// Deepest [ / { nesting outside strings. Commands are echoed into responses, and
// serialising JSON recurses once per level, so absurd nesting is refused before parsing.
std::size_t nesting(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

constexpr std::size_t max_nesting = 32;

result<opaque_encoding> get_encoding(const json& j) {
  if (!j.is_object() || !j.contains("encoding")) return opaque_encoding::base64;
  const auto& e = j["encoding"];
  if (e.is_string() && e.get<std::string>() == "hex") return opaque_encoding::hex;
  if (e.is_string() && e.get<std::string>() == "base64") return opaque_encoding::base64;
  return fail("encoding must be \"hex\" or \"base64\"");
}

}  // namespace

std::string_view to_string(msg_type t) noexcept {
  switch (t) {
    case msg_type::read:
      return "read";
    case msg_type::discover:
      return "discover";
    case msg_type::write:
      return "write";
    case msg_type::write_attr:
      return "write-attr";
    case msg_type::execute:
      return "execute";
    case msg_type::create:
      return "create";
    case msg_type::delete_:
      return "delete";
    case msg_type::observe:
      return "observe";
    case msg_type::cancel_observe:
      return "cancel-observe";
  }
  return "";
}

std::vector<std::string> command::uri_path(std::string_view alternate_path) const {
  std::vector<std::string> out;
  while (!alternate_path.empty()) {
    const auto slash = alternate_path.find('/');
    if (slash != 0) out.emplace_back(alternate_path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    alternate_path.remove_prefix(slash + 1);
  }
  for (uint8_t i = 0; i < target.depth; ++i) out.push_back(std::to_string(target.ids[i]));
  return out;
}

result<command, command_error> parse_command(std::string_view json_text,
                                             const object_registry& objects) {
  if (nesting(json_text) > max_nesting)
    return outcome::failure(command_error{"command nested deeper than 32 levels", {}});
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return outcome::failure(command_error{"command is not valid JSON", {}});
  if (!j.is_object()) return outcome::failure(command_error{"command must be a JSON object", {}});
  auto refuse = [&](std::string reason) {
    return outcome::failure(command_error{std::move(reason), j});
  };
  if (!j.contains("msgType") || !j["msgType"].is_string()) return refuse("msgType missing");
  auto type = parse_msg_type(j["msgType"].get_ref<const std::string&>());
  if (!type) return refuse(type.error().reason);
  if (!j.contains("data") || !j["data"].is_object()) return refuse("data must be an object");
  const json& data = j["data"];
  command c;
  c.type = type.value();
  auto enc = get_encoding(j);
  if (enc && j.contains("encoding")) {
    c.encoding = enc.value();
  } else if (enc) {
    auto in_data = get_encoding(data);
    if (!in_data) return refuse(in_data.error().reason);
    c.encoding = in_data.value();
  } else {
    return refuse(enc.error().reason);
  }
  if (auto r = fill(c, data, objects); !r) return refuse(r.error().reason);
  c.request = std::move(j);
  return c;
}

}  // namespace edgegw::lwm2m
