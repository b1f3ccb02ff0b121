// GET /api/v5/clients (paged, filtered as EMQX: clientid, like_clientid, username,
// like_username, ip_address, conn_state, proto_name/protocol), GET and DELETE (kick)
// /api/v5/clients/{clientid}, GET /api/v5/clients/{clientid}/subscriptions, and the same
// for one gateway's clients: /api/v5/gateways/{name}/clients[/{clientid}] (the broker's
// clients whose client_info.protocol is the gateway's name).
#include <algorithm>
#include <charconv>

#include "gateway/http_api/detail/handlers.hpp"

namespace edgegw::http_api::detail {

std::string proto_name(const client_info& c) {
  if (c.protocol == "mqtt") return c.protocol_version == 3 ? "MQIsdp" : "MQTT";
  if (c.protocol == "mqttsn") return "MQTT-SN";
  if (c.protocol == "coap") return "CoAP";
  if (c.protocol == "lwm2m") return "LwM2M";
  if (c.protocol == "stomp") return "STOMP";
  return c.protocol;
}

int peer_port(const std::string& peer) {
  auto colon = peer.rfind(':');
  int port = 0;
  if (colon != std::string::npos)
    std::from_chars(peer.data() + colon + 1, peer.data() + peer.size(), port);
  return port;
}

namespace {

json client_json(api_context& ctx, const core::core_session::snapshot& s) {
  const client_info& c = *s.client;
  const auto& lim = ctx.broker.limits();
  json j = {
      {"clientid", c.client_id},
      {"username", c.username.empty() ? json() : json(c.username)},
      {"ip_address", core::peer_host(c.peer)},
      {"port", peer_port(c.peer)},
      {"connected", s.connected},
      {"created_at", http_api::rfc3339(s.created_at_ms)},
      {"proto_name", proto_name(c)},
      {"proto_ver", c.protocol_version},
      {"protocol", c.protocol},
      {"keepalive", s.keepalive},
      {"clean_start", s.clean_start},
      {"expiry_interval", s.expiry_interval},
      {"subscriptions_cnt", s.stats.subscriptions},
      {"subscriptions_max", lim.max_subscriptions ? json(lim.max_subscriptions) : json("infinity")},
      {"mqueue_len", s.stats.queued},
      {"mqueue_max", ctx.broker.settings().max_mqueue_len},
      {"mqueue_dropped", s.stats.dropped},
      {"inflight_cnt", s.stats.inflight},
      {"inflight_max", s.inflight_max},
      {"listener", c.listener},
      {"mountpoint", c.mountpoint.empty() ? json() : json(c.mountpoint)},
      {"is_bridge", false},
      {"node", ctx.node},
  };
  if (s.connected_at_ms) j["connected_at"] = http_api::rfc3339(s.connected_at_ms);
  if (!s.connected && s.disconnected_at_ms)
    j["disconnected_at"] = http_api::rfc3339(s.disconnected_at_ms);
  return j;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// EMQX's query-string filters; an unknown conn_state is a 400.
bool matches(const request_target& t, const core::core_session::snapshot& s) {
  const client_info& c = *s.client;
  auto has = [&](std::string_view k, const std::string& v) {
    auto [lo, hi] = t.query.equal_range(k);
    if (lo == hi) return true;
    for (auto it = lo; it != hi; ++it)
      if (it->second == v) return true;
    return false;
  };
  if (!has("clientid", c.client_id) || !has("username", c.username) ||
      !has("ip_address", core::peer_host(c.peer)))
    return false;
  if (auto v = t.param("like_clientid"); v && c.client_id.find(*v) == std::string::npos)
    return false;
  if (auto v = t.param("like_username"); v && c.username.find(*v) == std::string::npos)
    return false;
  for (const char* k : {"proto_name", "protocol"}) {
    if (auto v = t.param(k); v && !iequal(*v, proto_name(c)) && !iequal(*v, c.protocol))
      return false;
  }
  if (auto v = t.param("conn_state"); v && (*v == "connected") != s.connected) return false;
  return true;
}

// A page of the clients matching the query (and, for a gateway, of its protocol).
api_response client_list(api_context& ctx, const request_target& t, const std::string* protocol) {
  std::string err;
  auto p = parse_paging(t, &err);
  if (!p) return error_response(400, "BAD_REQUEST", err);
  if (auto v = t.param("conn_state"); v && *v != "connected" && *v != "disconnected")
    return error_response(400, "BAD_REQUEST", "conn_state must be connected or disconnected");
  auto all = ctx.broker.client_snapshots();
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return a.client->client_id < b.client->client_id; });
  // Filter first, then build JSON only for the page asked for: a page of 10 out of
  // thousands of sessions stays cheap.
  std::erase_if(all, [&](const auto& c) {
    return (protocol && c.client->protocol != *protocol) || !matches(t, c);
  });
  std::vector<json> items(all.size());
  std::size_t first =
      (p->page - 1 <= all.size() / p->limit) ? (p->page - 1) * p->limit : all.size();
  for (std::size_t i = first; i < all.size() && i < first + p->limit; ++i)
    items[i] = client_json(ctx, all[i]);
  return paged(std::move(items), *p);
}

bool known_gateway(const api_context& ctx, const std::string& name) {
  return std::find(ctx.gateways.begin(), ctx.gateways.end(), name) != ctx.gateways.end();
}

// /api/v5/gateways/{name}/clients[/{clientid}]: EMQX's gateway client paths.
maybe_response gateway_clients(api_context& ctx, const api_request& r, const request_target& t,
                               const segs& s) {
  if (s.size() < 3 || s.size() > 4 || s[2] != "clients") return std::nullopt;
  const std::string& gw = s[1];
  if (!known_gateway(ctx, gw)) return error_response(404, "RESOURCE_NOT_FOUND", "no such gateway");
  if (s.size() == 3) {
    if (r.method != "GET") return error_response(405, "METHOD_NOT_ALLOWED", "use GET");
    return client_list(ctx, t, &gw);
  }
  auto c = ctx.broker.client_snapshot(s[3]);
  if (!c || c->client->protocol != gw)
    return error_response(404, "CLIENTID_NOT_FOUND", "Client ID not found");
  if (r.method == "GET") return json_response(200, client_json(ctx, *c));
  if (r.method == "DELETE")
    return ctx.broker.kick(s[3]) ? no_content()
                                 : error_response(404, "CLIENTID_NOT_FOUND", "Client ID not found");
  return error_response(405, "METHOD_NOT_ALLOWED", "use GET or DELETE");
}

}  // namespace

maybe_response clients(api_context& ctx, const api_request& r, const request_target& t,
                       const segs& s) {
  if (!s.empty() && s[0] == "gateways") return gateway_clients(ctx, r, t, s);
  if (s.empty() || s[0] != "clients") return std::nullopt;
  if (s.size() == 1) {
    if (r.method != "GET") return error_response(405, "METHOD_NOT_ALLOWED", "use GET");
    return client_list(ctx, t, nullptr);
  }
  const std::string& id = s[1];
  auto not_found = [] { return error_response(404, "CLIENTID_NOT_FOUND", "Client ID not found"); };
  if (s.size() == 2) {
    if (r.method == "GET") {
      auto c = ctx.broker.client_snapshot(id);
      if (!c) return not_found();
      return json_response(200, client_json(ctx, *c));
    }
    if (r.method == "DELETE") return ctx.broker.kick(id) ? no_content() : not_found();
    return error_response(405, "METHOD_NOT_ALLOWED", "use GET or DELETE");
  }
  if (s.size() == 3 && s[2] == "subscriptions") {
    if (r.method != "GET") return error_response(405, "METHOD_NOT_ALLOWED", "use GET");
    if (!ctx.broker.client_snapshot(id)) return not_found();
    json out = json::array();
    for (const auto& e : ctx.broker.subscription_entries()) {
      if (e.client_id != id) continue;
      out.push_back({{"clientid", e.client_id},
                     {"topic", e.filter},
                     {"qos", e.options.qos},
                     {"nl", e.options.no_local ? 1 : 0},
                     {"rap", e.options.retain_as_published ? 1 : 0},
                     {"rh", e.options.retain_handling},
                     {"node", ctx.node}});
    }
    return json_response(200, out);
  }
  return std::nullopt;
}

}  // namespace edgegw::http_api::detail
