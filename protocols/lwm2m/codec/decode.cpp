// decode_content() dispatch and the TLV, plain text, opaque and OMA JSON decoders.
#include "decode.hpp"

#include "content_format.hpp"
#include "detail/text_number.hpp"
#include "detail/typed_number.hpp"
#include "detail/utf8.hpp"
#include "tlv.hpp"

namespace edgegw::lwm2m {

namespace {

using json = nlohmann::json;

result<entry> tlv_entry(const path& p, std::span<const uint8_t> bytes,
                        const object_registry& objects) {
  auto v = tlv_value(bytes, objects.type_of(p.object(), p.resource()));
  if (!v) return fail(to_string(p) + ": " + v.error().reason);
  return entry{p, std::move(v).value()};
}

// Resources of one instance (`inst` is /o/i) appended to `out`.
result<void> tlv_resources(const path& inst, std::span<const tlv> items,
                           const object_registry& objects, entry_list& out) {
  for (const auto& t : items) {
    const path res = inst.child(t.id);
    if (t.kind == tlv_kind::resource_value) {
      auto e = tlv_entry(res, t.value, objects);
      if (!e) return e.error();
      out.push_back(std::move(e).value());
    } else {  // multiple_resource (the parser allows nothing else here)
      for (const auto& ri : t.children) {
        auto e = tlv_entry(res.child(ri.id), ri.value, objects);
        if (!e) return e.error();
        out.push_back(std::move(e).value());
      }
    }
  }
  return outcome::success();
}

}  // namespace

result<entry_list> decode_content(uint16_t format, std::span<const uint8_t> payload,
                                  const path& request, const object_registry& objects) {
  switch (format) {
    case content_format::text:
      return decode_text(payload, request, objects);
    case content_format::opaque:
      return decode_opaque(payload, request);
    case content_format::tlv:
    case content_format::tlv_legacy:
      return decode_tlv(payload, request, objects);
    case content_format::json:
    case content_format::json_legacy:
      return decode_oma_json(payload, request, objects);
    case content_format::senml_json:
      return decode_senml_json(payload, objects);
    case content_format::senml_cbor:
      return decode_senml_cbor(payload, objects);
    default:
      return fail("unsupported content format " + std::to_string(format));
  }
}

result<entry_list> decode_tlv(std::span<const uint8_t> payload, const path& request,
                              const object_registry& objects) {
  auto items = tlv_parse(payload);
  if (!items) return items.error();
  if (request.depth == 0) return fail("TLV needs an object path in the request");
  entry_list out;
  for (const auto& t : items.value()) {
    switch (t.kind) {
      case tlv_kind::object_instance: {
        const path inst = path{}.child(request.object()).child(t.id);
        if (request.depth >= 2 && t.id != request.instance())
          return fail("TLV object instance " + std::to_string(t.id) + " outside " +
                      to_string(request));
        if (auto r = tlv_resources(inst, t.children, objects, out); !r) return r.error();
        break;
      }
      case tlv_kind::resource_value:
      case tlv_kind::multiple_resource: {
        if (request.depth < 2)
          return fail("TLV resource without an object instance for " + to_string(request));
        path inst = request;
        inst.depth = 2;
        if (auto r = tlv_resources(inst, std::span(&t, 1), objects, out); !r) return r.error();
        break;
      }
      case tlv_kind::resource_instance: {
        if (request.depth < 3)
          return fail("TLV resource instance without a resource for " + to_string(request));
        path res = request;
        res.depth = 3;
        auto e = tlv_entry(res.child(t.id), t.value, objects);
        if (!e) return e.error();
        out.push_back(std::move(e).value());
        break;
      }
    }
  }
  return out;
}

result<entry_list> decode_text(std::span<const uint8_t> payload, const path& request,
                               const object_registry& objects) {
  if (request.depth < 3) return fail("plain text needs a resource path, not " + to_string(request));
  const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
  const value_type t = objects.type_of(request.object(), request.resource(), value_type::string);
  const std::string where = to_string(request) + ": ";
  value v;
  switch (t) {
    case value_type::string:
    case value_type::corelnk:
      if (!detail::valid_utf8(text)) return fail(where + "text is not valid UTF-8");
      if (t == value_type::corelnk)
        v = corelnk_value{std::string(text)};
      else
        v = std::string(text);
      break;
    case value_type::integer:
    case value_type::time: {
      auto i = detail::parse_int(text);
      if (!i) return fail(where + i.error().reason);
      if (t == value_type::time)
        v = time_value{i.value()};
      else
        v = i.value();
      break;
    }
    case value_type::unsigned_integer: {
      auto u = detail::parse_uint(text);
      if (!u) return fail(where + u.error().reason);
      v = u.value();
      break;
    }
    case value_type::floating: {
      auto d = detail::parse_float(text);
      if (!d) return fail(where + d.error().reason);
      v = d.value();
      break;
    }
    case value_type::boolean:
      if (text == "1" || text == "true")
        v = true;
      else if (text == "0" || text == "false")
        v = false;
      else
        return fail(where + "boolean text must be 0 or 1");
      break;
    case value_type::opaque:
      v = opaque_value{{payload.begin(), payload.end()}};
      break;
    case value_type::objlnk: {
      auto o = value_from_json(json(std::string(text)), value_type::objlnk);
      if (!o) return fail(where + o.error().reason);
      v = std::move(o).value();
      break;
    }
    case value_type::none:
      if (!payload.empty()) v = opaque_value{{payload.begin(), payload.end()}};
      break;
  }
  return entry_list{entry{request, std::move(v)}};
}

result<entry_list> decode_opaque(std::span<const uint8_t> payload, const path& request) {
  if (request.depth < 3) return fail("opaque needs a resource path, not " + to_string(request));
  return entry_list{entry{request, opaque_value{{payload.begin(), payload.end()}}}};
}

result<entry_list> decode_oma_json(std::span<const uint8_t> payload, const path& request,
                                   const object_registry& objects) {
  const json j = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return fail("LwM2M JSON: not a JSON object");
  std::string base = to_string(request);
  if (j.contains("bn")) {
    if (!j["bn"].is_string()) return fail("LwM2M JSON: bn must be a string");
    base = j["bn"].get<std::string>();
  }
  if (!j.contains("e") || !j["e"].is_array()) return fail("LwM2M JSON: e must be an array");
  while (!base.empty() && base.back() == '/') base.pop_back();
  entry_list out;
  for (const auto& e : j["e"]) {
    if (!e.is_object()) return fail("LwM2M JSON: every e element must be an object");
    std::string name;
    if (e.contains("n")) {
      if (!e["n"].is_string()) return fail("LwM2M JSON: n must be a string");
      name = e["n"].get<std::string>();
    }
    std::string_view n = name;
    while (!n.empty() && n.front() == '/') n.remove_prefix(1);
    const std::string full = n.empty() ? base : base + "/" + std::string(n);
    auto p = parse_path(full);
    if (!p) return fail("LwM2M JSON: " + p.error().reason);
    const path& at = p.value();
    const value_type t = at.depth >= 3
                             ? objects.type_of(at.object(), at.resource(), value_type::none)
                             : value_type::none;
    value v;
    if (e.contains("v")) {
      const auto& x = e["v"];
      if (!x.is_number()) return fail("LwM2M JSON: v must be a number");
      detail::number num = x.is_number_unsigned()  ? detail::number{x.get<uint64_t>()}
                           : x.is_number_integer() ? detail::number{x.get<int64_t>()}
                                                   : detail::number{x.get<double>()};
      v = detail::typed_number(num, t);
    } else if (e.contains("sv")) {
      if (!e["sv"].is_string()) return fail("LwM2M JSON: sv must be a string");
      const auto& s = e["sv"].get_ref<const std::string&>();
      if (t == value_type::opaque) {
        auto b = base64_decode(s);
        if (!b) return fail("LwM2M JSON: " + to_string(at) + ": opaque " + b.error().reason);
        v = opaque_value{std::move(b).value()};
      } else if (t == value_type::corelnk) {
        v = corelnk_value{s};
      } else {
        v = s;
      }
    } else if (e.contains("bv")) {
      if (!e["bv"].is_boolean()) return fail("LwM2M JSON: bv must be true or false");
      v = e["bv"].get<bool>();
    } else if (e.contains("ov")) {
      auto o = value_from_json(e["ov"], value_type::objlnk);
      if (!o) return fail("LwM2M JSON: ov " + o.error().reason);
      v = std::move(o).value();
    }
    out.push_back(entry{at, std::move(v)});
  }
  return out;
}

// ---- CoRE link format ----

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Split at `sep` outside <...> and "..." (a backslash escapes inside quotes).
std::vector<std::string_view> split_outside(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  bool quoted = false, angled = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angled = true;
    } else if (c == '>') {
      angled = false;
    } else if (c == sep && !angled) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

result<std::vector<link>> decode_links(std::string_view text) {
  std::vector<link> out;
  if (trim(text).empty()) return out;
  for (std::string_view item : split_outside(text, ',')) {
    item = trim(item);
    if (item.size() < 2 || item.front() != '<') return fail("link format: link must start with <");
    const auto close = item.find('>');
    if (close == std::string_view::npos) return fail("link format: missing >");
    link l;
    l.target = std::string(item.substr(1, close - 1));
    std::string_view rest = trim(item.substr(close + 1));
    if (!rest.empty()) {
      if (rest.front() != ';') return fail("link format: expected ; after the target");
      auto params = split_outside(rest.substr(1), ';');
      for (auto param : params) {
        param = trim(param);
        if (param.empty()) return fail("link format: empty parameter");
        const auto eq = param.find('=');
        std::string key(trim(param.substr(0, eq)));
        if (key.empty()) return fail("link format: parameter without a name");
        std::string val;
        if (eq != std::string_view::npos) {
          std::string_view v = trim(param.substr(eq + 1));
          if (!v.empty() && v.front() == '"') {
            if (v.size() < 2 || v.back() != '"') return fail("link format: unterminated quote");
            v = v.substr(1, v.size() - 2);
            for (std::size_t i = 0; i < v.size(); ++i) {
              if (v[i] == '\\' && i + 1 < v.size()) ++i;
              val += v[i];
            }
          } else {
            val = std::string(v);
          }
        }
        l.attributes.emplace_back(std::move(key), std::move(val));
      }
    }
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<std::string> split_links(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  for (auto part : split_outside(text, ',')) out.emplace_back(part);
  return out;
}

}  // namespace edgegw::lwm2m
