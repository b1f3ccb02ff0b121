// EMQX's LwM2M client API: /api/v5/gateways/lwm2m/clients/{clientid}/
//   GET  lookup?path=&action=             the last answer to that action on that path
//   POST read?path=                       (PUT too, as EMQX 4.x had it)
//   POST write?path=&type=&value=
//   POST observe?path=&enable=true|false
// Commands are answered 204 once handed to the gateway; the device's answer arrives on the
// uplink MQTT topic as for a command published on dn. The gateway is any service with
// net::gateway_commands whose commands_gateway() is the path's gateway name.
#include "gateway/http_api/detail/handlers.hpp"
#include "gateway/http_api/lwm2m_query.hpp"
#include "gateway/net/gateway_commands.hpp"

namespace edgegw::http_api::detail {

namespace {

net::gateway_commands* find_commands(api_context& ctx, std::string_view gateway) {
  for (const auto& s : ctx.services)
    if (auto* c = dynamic_cast<net::gateway_commands*>(s.get());
        c && c->commands_gateway() == gateway)
      return c;
  return nullptr;
}

api_response client_not_found() {
  return error_response(404, "CLIENT_NOT_FOUND", "Client ID not found");
}

}  // namespace

maybe_response gateway_commands(api_context& ctx, const api_request& r, const request_target& t,
                                const segs& s) {
  if (s.size() != 5 || s[0] != "gateways" || s[2] != "clients") return std::nullopt;
  const std::string& op = s[4];
  if (op != "lookup" && op != "read" && op != "write" && op != "observe") return std::nullopt;
  auto* gw = find_commands(ctx, s[1]);
  if (!gw) return error_response(404, "RESOURCE_NOT_FOUND", "no such gateway or not running");
  const std::string& id = s[3];
  if (op == "lookup") {
    if (r.method != "GET") return error_response(405, "METHOD_NOT_ALLOWED", "use GET");
    auto path = t.param("path");
    auto action = t.param("action");
    if (!path || path->empty() || !action || action->empty())
      return error_response(400, "BAD_REQUEST", "path and action are required");
    bool known = false;
    auto answer = gw->last_answer(id, *action, *path, &known);
    if (!known) return client_not_found();
    json out = {{"clientid", id}, {"path", *path}, {"action", *action}};
    if (!answer) {
      out["code"] = "6.01";  // EMQX's "nothing recorded yet"
      out["codeMsg"] = "reply_not_received";
    } else {
      out.update(json::parse(*answer));
    }
    return json_response(200, out);
  }
  if (r.method != "POST" && r.method != "PUT")
    return error_response(405, "METHOD_NOT_ALLOWED", "use POST");
  auto cmd = http_api::lwm2m_command(op, t);
  if (auto* err = std::get_if<std::string>(&cmd)) return error_response(400, "BAD_REQUEST", *err);
  // Invalid UTF-8 from the query is replaced; the gateway then refuses the path or value.
  auto outcome = gw->send_command(
      id, std::get<json>(cmd).dump(-1, ' ', false, json::error_handler_t::replace));
  switch (outcome.status) {
    case net::command_status::accepted:
      return no_content();
    case net::command_status::unknown_client:
      return client_not_found();
    case net::command_status::invalid:
      break;
  }
  return error_response(400, "BAD_REQUEST", outcome.reason);
}

}  // namespace edgegw::http_api::detail
