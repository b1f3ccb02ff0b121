// Registration query and object-list parsing, and the register/update/deregister events.
#include "registration.hpp"

#include "decode.hpp"
#include "detail/text_number.hpp"
#include "detail/utf8.hpp"
#include "path.hpp"

namespace edgegw::lwm2m {

namespace {

using json = nlohmann::json;

void set(std::vector<std::pair<std::string, std::string>>& q, std::string key, std::string val) {
  for (auto& [k, v] : q)
    if (k == key) {
      v = std::move(val);
      return;
    }
  q.emplace_back(std::move(key), std::move(val));
}

std::string normalise(std::string_view target) {
  std::string s(target);
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  if (s.empty() || s.front() != '/') s.insert(s.begin(), '/');
  return s;
}

}  // namespace

std::optional<std::string> registration::get(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return v;
  return std::nullopt;
}

std::optional<uint32_t> registration::lifetime() const {
  auto lt = get("lt");
  if (!lt) return std::nullopt;
  auto v = detail::parse_uint(*lt);
  if (!v || v.value() > UINT32_MAX) return std::nullopt;
  return uint32_t(v.value());
}

bool registration::queue_mode() const {
  if (get("Q")) return true;
  auto b = get("b");
  return b && b->find('Q') != std::string::npos;
}

result<registration> parse_registration(const std::vector<std::string>& query,
                                        std::string_view payload, bool is_register) {
  registration reg;
  for (const auto& item : query) {
    // Everything here ends up in JSON events, which must be valid UTF-8.
    if (!detail::valid_utf8(item))
      return fail("query parameter " + detail::quote(item) + " is not UTF-8");
    const auto eq = item.find('=');
    std::string key = item.substr(0, eq);
    if (key.empty()) return fail("empty query parameter name");
    set(reg.query, std::move(key), eq == std::string::npos ? "" : item.substr(eq + 1));
  }
  if (is_register && reg.endpoint().empty()) return fail("register without an endpoint name (ep)");
  if (auto lt = reg.get("lt")) {
    auto v = detail::parse_uint(*lt);
    if (!v || v.value() > UINT32_MAX)
      return fail("lifetime lt=" + detail::quote(*lt, 32) + " is not a number");
  }
  if (payload.empty()) return reg;
  auto links = decode_links(payload);
  if (!links) return fail("object list: " + links.error().reason);
  reg.has_object_list = true;
  // The alternate path is the link typed rt="oma.lwm2m"; object links are below it.
  for (const auto& l : links.value())
    for (const auto& [k, v] : l.attributes)
      if (k == "rt" && v == "oma.lwm2m") {
        if (!detail::valid_utf8(l.target)) return fail("alternate path is not UTF-8");
        reg.alternate_path = normalise(l.target);
      }
  for (const auto& l : links.value()) {
    std::string target = normalise(l.target);
    if (target == reg.alternate_path) continue;
    if (reg.alternate_path != "/") {
      if (target.rfind(reg.alternate_path + "/", 0) != 0) continue;  // not an object link
      target = target.substr(reg.alternate_path.size());
    }
    auto p = parse_path(target);
    if (!p) return fail("object list: " + p.error().reason);
    reg.object_list.push_back(to_string(p.value()));
  }
  return reg;
}

void merge_update(registration& current, const registration& update) {
  for (const auto& [k, v] : update.query) set(current.query, k, v);
  if (update.has_object_list) {
    current.alternate_path = update.alternate_path;
    current.object_list = update.object_list;
    current.has_object_list = true;
  }
}

json make_registration_event(std::string_view msg_type, const registration& reg) {
  json data = json::object();
  for (const auto& [k, v] : reg.query) {
    if (k == "lt") {
      if (auto lt = reg.lifetime()) {
        data[k] = *lt;
        continue;
      }
    }
    if (v.empty() && k == "Q")
      data[k] = true;
    else
      data[k] = v;
  }
  if (reg.has_object_list) {
    data["alternatePath"] = reg.alternate_path;
    data["objectList"] = reg.object_list;
  }
  return json{{"msgType", msg_type}, {"data", std::move(data)}};
}

}  // namespace edgegw::lwm2m
