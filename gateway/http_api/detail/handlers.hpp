// Internals of the router: one function per endpoint family, and the JSON helpers they
// share. Handlers may throw nlohmann::json::exception on a body of the wrong shape; the
// router answers 400 for it.
#pragma once
#include <nlohmann/json.hpp>

#include "gateway/http_api/api_context.hpp"
#include "gateway/http_api/request_target.hpp"

namespace edgegw::http_api::detail {

using nlohmann::json;

api_response json_response(unsigned status, const json& j);
api_response error_response(unsigned status, std::string_view code, std::string_view message);
api_response no_content();
// A page of `items` with EMQX's meta {page, limit, count, hasnext}.
api_response paged(std::vector<json> items, const paging& p);

// Each returns nullopt when the path is not theirs (the router then tries the next one).
using maybe_response = std::optional<api_response>;
using segs = std::vector<std::string>;  // the path after /api/v5/
maybe_response clients(api_context& ctx, const api_request& r, const request_target& t,
                       const segs& s);
maybe_response pubsub(api_context& ctx, const api_request& r, const request_target& t,
                      const segs& s);
maybe_response status(api_context& ctx, const api_request& r, const request_target& t,
                      const segs& s);
maybe_response banned(api_context& ctx, const api_request& r, const request_target& t,
                      const segs& s);
// /api/v5/gateways/{name}/clients/{clientid}/{lookup|read|write|observe}
// (gateway_commands.cpp).
maybe_response gateway_commands(api_context& ctx, const api_request& r, const request_target& t,
                                const segs& s);
// GET /api/v5/prometheus/stats
std::string prometheus_text(api_context& ctx);

// "mqtt" v5 -> "MQTT"; "mqttsn" -> "MQTT-SN", ...
std::string proto_name(const client_info& c);
int peer_port(const std::string& peer);

}  // namespace edgegw::http_api::detail
