// SenML JSON (110) and SenML CBOR (112) as LwM2M 1.1 uses them (TS-Core 7.4.4/7.4.5):
// records whose base name + name form the path; v numeric (typed by the object
// definition), vs string, vb boolean, vd opaque (base64url in JSON, a byte string in CBOR),
// vlo objlnk "obj:inst". Base names carry over to later records (RFC 8428 4.5).
#include <optional>

#include "decode.hpp"
#include "detail/cbor.hpp"
#include "detail/typed_number.hpp"
#include "detail/utf8.hpp"

namespace edgegw::lwm2m {

namespace {

using json = nlohmann::json;

// One record, whichever encoding it came in.
struct record {
  std::optional<std::string> bn, n, vs, vlo;
  std::optional<detail::number> v;
  std::optional<bool> vb;
  std::optional<std::vector<uint8_t>> vd;
};

result<entry_list> resolve(const std::vector<record>& records, const object_registry& objects) {
  entry_list out;
  std::string base;
  for (std::size_t i = 0; i < records.size(); ++i) {
    const record& r = records[i];
    const std::string where = "SenML record " + std::to_string(i) + ": ";
    if (r.bn) base = *r.bn;
    const std::string name = base + r.n.value_or("");
    auto p = parse_path(name);
    if (!p) return fail(where + p.error().reason);
    const path& at = p.value();
    const value_type t = at.depth >= 3
                             ? objects.type_of(at.object(), at.resource(), value_type::none)
                             : value_type::none;
    int kinds = int(r.v.has_value()) + r.vs.has_value() + r.vb.has_value() + r.vd.has_value() +
                r.vlo.has_value();
    if (kinds > 1) return fail(where + "more than one value");
    value val;
    if (r.v) {
      val = detail::typed_number(*r.v, t);
    } else if (r.vs) {
      if (!detail::valid_utf8(*r.vs)) return fail(where + "vs is not valid UTF-8");
      if (t == value_type::corelnk)
        val = corelnk_value{*r.vs};
      else
        val = *r.vs;
    } else if (r.vb) {
      val = *r.vb;
    } else if (r.vd) {
      val = opaque_value{*r.vd};
    } else if (r.vlo) {
      auto o = value_from_json(json(*r.vlo), value_type::objlnk);
      if (!o) return fail(where + "vlo " + o.error().reason);
      val = std::move(o).value();
    } else if (!r.n && r.bn) {
      continue;  // a record that only sets the base name
    }
    out.push_back(entry{at, std::move(val)});
  }
  return out;
}

// Labels ending in "_" must be understood (RFC 8428 4.4): refuse them; ignore other
// unknown labels (bt, t, u, bu, s, bver...) which carry nothing LwM2M needs here.
bool must_understand(std::string_view label) {
  return !label.empty() && label.back() == '_';
}

}  // namespace

result<entry_list> decode_senml_json(std::span<const uint8_t> payload,
                                     const object_registry& objects) {
  const json j = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (j.is_discarded()) return fail("SenML JSON: not valid JSON");
  if (!j.is_array()) return fail("SenML JSON: must be an array of records");
  std::vector<record> records;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const auto& e = j[i];
    const std::string where = "SenML record " + std::to_string(i) + ": ";
    if (!e.is_object()) return fail(where + "not an object");
    record r;
    for (const auto& item : e.items()) {
      // Named, not structured bindings: clang 14 cannot capture those in lambdas.
      const std::string& k = item.key();
      const json& x = item.value();
      auto str = [&](std::optional<std::string>& dst) -> result<void> {
        if (!x.is_string()) return fail(where + k + " must be a string");
        dst = x.get<std::string>();
        return outcome::success();
      };
      result<void> ok = outcome::success();
      if (k == "bn") {
        ok = str(r.bn);
      } else if (k == "n") {
        ok = str(r.n);
      } else if (k == "vs") {
        ok = str(r.vs);
      } else if (k == "vlo") {
        ok = str(r.vlo);
      } else if (k == "v") {
        if (!x.is_number()) return fail(where + "v must be a number");
        r.v = x.is_number_unsigned()  ? detail::number{x.get<uint64_t>()}
              : x.is_number_integer() ? detail::number{x.get<int64_t>()}
                                      : detail::number{x.get<double>()};
      } else if (k == "vb") {
        if (!x.is_boolean()) return fail(where + "vb must be true or false");
        r.vb = x.get<bool>();
      } else if (k == "vd") {
        if (!x.is_string()) return fail(where + "vd must be a string");
        auto b = base64_decode(x.get_ref<const std::string&>());
        if (!b) return fail(where + "vd " + b.error().reason);
        r.vd = std::move(b).value();
      } else if (must_understand(k)) {
        return fail(where + "unsupported label " + k);
      }
      if (!ok) return ok.error();
    }
    records.push_back(std::move(r));
  }
  return resolve(records, objects);
}

result<entry_list> decode_senml_cbor(std::span<const uint8_t> payload,
                                     const object_registry& objects) {
  auto top = detail::cbor_parse(payload, 3);
  if (!top) return fail("SenML CBOR: " + top.error().reason);
  auto* arr = std::get_if<std::shared_ptr<detail::cbor_array>>(&top.value().v);
  if (!arr) return fail("SenML CBOR: must be an array of records");
  std::vector<record> records;
  for (std::size_t i = 0; i < (*arr)->size(); ++i) {
    const std::string where = "SenML record " + std::to_string(i) + ": ";
    auto* map = std::get_if<std::shared_ptr<detail::cbor_map>>(&(**arr)[i].v);
    if (!map) return fail(where + "not a map");
    record r;
    for (const auto& kv : **map) {
      const detail::cbor_item& key = kv.first;
      const detail::cbor_item& x = kv.second;
      // RFC 8428 table 6 labels: bn -2, n 0, v 2, vs 3, vb 4, vd 8; LwM2M "vlo" is a text key.
      std::optional<int64_t> label;
      std::string text_label;
      if (auto* ik = std::get_if<int64_t>(&key.v))
        label = *ik;
      else if (auto* sk = std::get_if<std::string>(&key.v))
        text_label = *sk;
      else
        return fail(where + "label must be an integer or text");
      auto text = [&](std::optional<std::string>& dst, const char* name) -> result<void> {
        auto* s = std::get_if<std::string>(&x.v);
        if (!s) return fail(where + name + " must be text");
        dst = *s;
        return outcome::success();
      };
      result<void> ok = outcome::success();
      if (label == -2 || text_label == "bn") {
        ok = text(r.bn, "bn");
      } else if (label == 0 || text_label == "n") {
        ok = text(r.n, "n");
      } else if (label == 3 || text_label == "vs") {
        ok = text(r.vs, "vs");
      } else if (text_label == "vlo") {
        ok = text(r.vlo, "vlo");
      } else if (label == 2 || text_label == "v") {
        if (auto* iv = std::get_if<int64_t>(&x.v))
          r.v = detail::number{*iv};
        else if (auto* u = std::get_if<uint64_t>(&x.v))
          r.v = detail::number{*u};
        else if (auto* d = std::get_if<double>(&x.v))
          r.v = detail::number{*d};
        else
          return fail(where + "v must be a number");
      } else if (label == 4 || text_label == "vb") {
        auto* b = std::get_if<bool>(&x.v);
        if (!b) return fail(where + "vb must be true or false");
        r.vb = *b;
      } else if (label == 8 || text_label == "vd") {
        auto* b = std::get_if<detail::cbor_bytes>(&x.v);
        if (!b) return fail(where + "vd must be a byte string");
        r.vd = b->bytes;
      } else if (!label && must_understand(text_label)) {
        return fail(where + "unsupported label " + text_label);
      }
      if (!ok) return ok.error();
    }
    records.push_back(std::move(r));
  }
  return resolve(records, objects);
}

}  // namespace edgegw::lwm2m
