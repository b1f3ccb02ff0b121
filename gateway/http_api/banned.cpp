// GET /api/v5/banned (paged), POST /api/v5/banned ({"as","who","by","reason","at","until"},
// times as RFC 3339 or unix seconds), DELETE /api/v5/banned/{as}/{who}. The list itself is
// the core's (core::ban_list), consulted by authenticate().
#include <charconv>
#include <ctime>

#include "gateway/http_api/detail/handlers.hpp"

namespace edgegw::http_api::detail {

namespace {

// RFC 3339 ("2026-11-23T16:00:00Z", "...+01:00", fractions ignored) or integer seconds.
std::optional<int64_t> parse_time(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  std::tm tm{};
  const char* p = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!p) {
    int64_t n = 0;
    auto [e, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || e != s.data() + s.size()) return std::nullopt;
    return n;
  }
  int64_t t = timegm(&tm);
  if (*p == '.')
    while (std::isdigit(static_cast<unsigned char>(*++p))) {
    }
  if (*p == 'Z' || *p == 'z') return t;
  if ((*p == '+' || *p == '-') && std::strlen(p) == 6 && p[3] == ':') {
    int h = 0, m = 0;
    if (std::sscanf(p + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    int64_t off = (h * 60 + m) * 60;
    return *p == '+' ? t - off : t + off;
  }
  return *p == '\0' ? std::optional<int64_t>(t) : std::nullopt;
}

json ban_json(const core::ban_entry& e) {
  return {{"as", e.as},
          {"who", e.who},
          {"by", e.by},
          {"reason", e.reason},
          {"at", rfc3339(e.at_s * 1000)},
          {"until", e.until_s ? json(rfc3339(e.until_s * 1000)) : json("infinity")}};
}

}  // namespace

maybe_response banned(api_context& ctx, const api_request& r, const request_target& t,
                      const segs& s) {
  if (s[0] != "banned") return std::nullopt;
  auto& bans = ctx.broker.bans();
  int64_t now = unix_ms_now() / 1000;
  if (s.size() == 1 && r.method == "GET") {
    std::string err;
    auto p = parse_paging(t, &err);
    if (!p) return error_response(400, "BAD_REQUEST", err);
    std::vector<json> items;
    for (const auto& e : bans.list(now)) items.push_back(ban_json(e));
    return paged(std::move(items), *p);
  }
  if (s.size() == 1 && r.method == "POST") {
    json b = json::parse(r.body, nullptr, false);
    if (b.is_discarded() || !b.is_object())
      return error_response(400, "BAD_REQUEST", "body is not a JSON object");
    core::ban_entry e;
    e.as = b.value("as", std::string());
    e.who = b.value("who", std::string());
    if (!core::ban_list::valid_kind(e.as))
      return error_response(400, "BAD_REQUEST", "as must be clientid, username or peerhost");
    if (e.who.empty()) return error_response(400, "BAD_REQUEST", "who is required");
    e.by = b.value("by", std::string("mgmt_api"));
    e.reason = b.value("reason", std::string());
    e.at_s = now;
    if (b.contains("at")) {
      auto at = parse_time(b["at"]);
      if (!at) return error_response(400, "BAD_REQUEST", "at: not an RFC 3339 time");
      e.at_s = *at;
    }
    if (b.contains("until") && b["until"] != "infinity") {
      auto until = parse_time(b["until"]);
      if (!until) return error_response(400, "BAD_REQUEST", "until: not an RFC 3339 time");
      if (*until <= now) return error_response(400, "BAD_REQUEST", "until is in the past");
      e.until_s = *until;
    }
    json out = ban_json(e);
    if (!bans.add(std::move(e))) return error_response(400, "ALREADY_EXISTS", "already banned");
    return json_response(200, out);
  }
  if (s.size() == 3 && r.method == "DELETE") {
    if (!bans.remove(s[1], s[2])) return error_response(404, "NOT_FOUND", "not banned");
    return no_content();
  }
  if (s.size() <= 3) return error_response(405, "METHOD_NOT_ALLOWED", "GET, POST or DELETE");
  return std::nullopt;
}

}  // namespace edgegw::http_api::detail
