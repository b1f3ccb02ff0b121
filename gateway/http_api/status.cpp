// GET /api/v5/stats, /api/v5/metrics, /api/v5/nodes, /api/v5/listeners, /api/v5/bridges,
// /api/v5/gateways and /api/v5/prometheus/stats. Bridges and gateways come from the
// services that implement net::status_source (gateway/net/status_source.hpp).
#include <map>
#include <set>

#include "gateway/http_api/detail/handlers.hpp"
#include "gateway/http_api/process_stats.hpp"
#include "gateway/net/status_source.hpp"

namespace edgegw::http_api::detail {

namespace {

uint64_t ld(const std::atomic<uint64_t>& a) {
  return a.load(std::memory_order_relaxed);
}
int64_t ld(const std::atomic<int64_t>& a) {
  return a.load(std::memory_order_relaxed);
}

std::vector<net::service_status> statuses(api_context& ctx, std::string_view kind) {
  std::vector<net::service_status> out;
  for (const auto& s : ctx.services) {
    if (auto* src = dynamic_cast<const net::status_source*>(s.get())) {
      for (auto& st : src->statuses())
        if (st.kind == kind) out.push_back(std::move(st));
    }
  }
  return out;
}

json status_json(const net::service_status& st) {
  json j = {{"name", st.name}, {"type", st.type}, {"status", st.status}};
  if (!st.details_json.empty()) {
    json extra = json::parse(st.details_json, nullptr, false);
    if (extra.is_object()) j.update(extra);
  }
  return j;
}

json stats_object(api_context& ctx) {
  auto& b = ctx.broker;
  auto& m = b.metrics();
  std::size_t live = 0;
  for (const auto& c : b.client_snapshots()) live += c.connected;
  std::size_t shared = 0;
  std::set<std::string> topics;
  for (const auto& e : b.subscription_entries()) {
    errc er;
    auto sh = parse_shared_filter(e.filter, &er);
    shared += sh.has_value();
    topics.insert(sh ? std::string(sh->filter) : e.filter);
  }
  return {{"connections.count", ld(m.connections_current)},
          {"live_connections.count", live},
          {"sessions.count", b.session_count()},
          {"subscriptions.count", b.subscription_count()},
          {"subscriptions.shared.count", shared},
          {"topics.count", topics.size()},
          {"retained.count", b.retained_count()},
          {"delayed.count", b.delayed_count()}};
}

json metrics_object(api_context& ctx) {
  auto& m = ctx.broker.metrics();
  return {{"client.connected", ld(m.connections_total)},
          {"client.auth.failure", ld(m.auth_failures)},
          {"client.authorize.deny", ld(m.acl_denials)},
          {"messages.received", ld(m.messages_received)},
          {"messages.sent", ld(m.messages_sent)},
          {"messages.dropped", ld(m.messages_dropped)},
          {"messages.dropped.queue_full", ld(m.messages_dropped_queue_full)},
          {"messages.expired", ld(m.messages_expired)},
          {"messages.retained", ld(m.messages_retained)},
          {"messages.qos0.received", ld(m.messages_received_qos[0])},
          {"messages.qos1.received", ld(m.messages_received_qos[1])},
          {"messages.qos2.received", ld(m.messages_received_qos[2])},
          {"messages.qos0.sent", ld(m.messages_sent_qos[0])},
          {"messages.qos1.sent", ld(m.messages_sent_qos[1])},
          {"messages.qos2.sent", ld(m.messages_sent_qos[2])},
          {"bytes.received", ld(m.bytes_received)},
          {"bytes.sent", ld(m.bytes_sent)},
          {"packets.malformed", ld(m.packets_malformed)}};
}

// ?aggregate=true: one object; otherwise EMQX's per-node list (here, one node).
api_response per_node(api_context& ctx, const request_target& t, json obj) {
  if (t.param("aggregate") == std::optional<std::string>("true")) return json_response(200, obj);
  obj["node"] = ctx.node;
  return json_response(200, json::array({std::move(obj)}));
}

json node_json(api_context& ctx) {
  auto ps = read_process_stats();
  auto& m = ctx.broker.metrics();
  return {{"node", ctx.node},
          {"node_status", "running"},
          {"version", ctx.version},
          {"edition", "edgegw"},
          {"uptime", ctx.broker.uptime().count()},
          {"connections", ld(m.connections_current)},
          {"memory_used", ps.rss_bytes},
          {"process_cpu_seconds", ps.cpu_seconds},
          {"open_fds", ps.open_fds},
          {"max_fds", ps.max_fds}};
}

json listener_json(const listener_info& li) {
  const std::string& id = li.listener->name();  // "tcp:default"
  auto colon = id.find(':');
  return {{"id", id},
          {"type", id.substr(0, colon)},
          {"name", colon == std::string::npos ? id : id.substr(colon + 1)},
          {"bind", net::to_string(li.listener->local_endpoint())},
          {"running", true},
          {"enable", true},
          {"current_connections", li.listener->connections()},
          {"max_connections", li.max_connections}};
}

}  // namespace

maybe_response status(api_context& ctx, const api_request& r, const request_target& t,
                      const segs& s) {
  static const std::set<std::string> mine = {"stats",   "metrics",  "nodes",     "listeners",
                                             "bridges", "gateways", "prometheus"};
  if (!mine.count(s[0])) return std::nullopt;
  if (r.method != "GET") return error_response(405, "METHOD_NOT_ALLOWED", "use GET");
  if (s.size() == 1 && s[0] == "stats") return per_node(ctx, t, stats_object(ctx));
  if (s.size() == 1 && s[0] == "metrics") return per_node(ctx, t, metrics_object(ctx));
  if (s[0] == "nodes") {
    if (s.size() == 1) return json_response(200, json::array({node_json(ctx)}));
    if (s.size() == 2 && s[1] == ctx.node) return json_response(200, node_json(ctx));
    if (s.size() == 2) return error_response(404, "NOT_FOUND", "no such node");
    return std::nullopt;
  }
  if (s.size() == 1 && s[0] == "listeners") {
    json out = json::array();
    for (const auto& li : ctx.listeners) out.push_back(listener_json(li));
    for (const auto& svc : ctx.services) {
      // Gateway and API sockets (UDP, HTTP) are listed from their endpoints.
      for (const auto& [name, where] : svc->endpoints())
        out.push_back({{"id", name},
                       {"type", name},
                       {"name", name},
                       {"bind", where},
                       {"running", true},
                       {"enable", true}});
    }
    return json_response(200, out);
  }
  if (s.size() == 1 && s[0] == "bridges") {
    json out = json::array();
    for (const auto& st : statuses(ctx, "bridge")) out.push_back(status_json(st));
    return json_response(200, out);
  }
  if (s[0] == "gateways" && s.size() <= 2) {
    // Every gateway of this build: those whose service reports (net::status_source, see
    // net::gateway_status) as they say, the others (disabled) "unloaded", as EMQX.
    std::map<std::string, json> by_name;
    for (const auto& g : ctx.gateways)
      by_name[g] = {{"name", g}, {"status", "unloaded"}, {"current_connections", 0}};
    for (const auto& st : statuses(ctx, "gateway")) by_name[st.name] = status_json(st);
    if (s.size() == 2) {
      auto it = by_name.find(s[1]);
      if (it == by_name.end()) return error_response(404, "RESOURCE_NOT_FOUND", "no such gateway");
      return json_response(200, it->second);
    }
    json out = json::array();
    for (auto& [name, j] : by_name) out.push_back(std::move(j));
    return json_response(200, out);
  }
  if (s.size() == 2 && s[0] == "prometheus" && s[1] == "stats") {
    api_response resp;
    resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
    resp.body = prometheus_text(ctx);
    return resp;
  }
  return std::nullopt;
}

}  // namespace edgegw::http_api::detail
