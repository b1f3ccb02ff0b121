// The management API's router: /api/v5/<family>/... to the family's handler; every error
// is a JSON {"code","message"} as EMQX returns them.
#include <nlohmann/json.hpp>

#include "gateway/http_api/api_context.hpp"
#include "gateway/http_api/detail/handlers.hpp"

namespace edgegw::http_api {

namespace detail {

api_response json_response(unsigned status, const json& j) {
  api_response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

api_response error_response(unsigned status, std::string_view code, std::string_view message) {
  return json_response(status, json{{"code", code}, {"message", message}});
}

api_response no_content() {
  api_response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

api_response paged(std::vector<json> items, const paging& p) {
  std::size_t count = items.size();
  std::size_t first = (p.page - 1) * p.limit;
  json data = json::array();
  if (p.page - 1 <= count / p.limit) {  // (page-1)*limit cannot overflow past count
    for (std::size_t i = first; i < count && i < first + p.limit; ++i)
      data.push_back(std::move(items[i]));
  }
  bool hasnext = p.page <= count / p.limit && first + p.limit < count;
  return json_response(
      200, json{{"data", std::move(data)},
                {"meta",
                 {{"page", p.page}, {"limit", p.limit}, {"count", count}, {"hasnext", hasnext}}}});
}

}  // namespace detail

api_response handle(api_context& ctx, const api_request& req) {
  using namespace detail;
  auto t = parse_target(req.target);
  if (!t) return error_response(400, "BAD_REQUEST", "malformed request target");
  const auto& seg = t->segments;
  if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v5")
    return error_response(404, "NOT_FOUND", "no such path");
  segs rest(seg.begin() + 2, seg.end());
  try {
    for (auto* family : {&clients, &gateway_commands, &pubsub, &status, &banned}) {
      if (auto r = family(ctx, req, *t, rest)) return std::move(*r);
    }
  } catch (const json::exception& e) {
    return error_response(400, "BAD_REQUEST", std::string("bad request body: ") + e.what());
  }
  return error_response(404, "NOT_FOUND", "no such path");
}

}  // namespace edgegw::http_api
