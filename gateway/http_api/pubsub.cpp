// GET /api/v5/subscriptions, GET /api/v5/topics (routes), retained messages
// (/api/v5/mqtt/retainer/messages and .../message/{topic}), POST /api/v5/publish and
// /api/v5/publish/bulk.
#include <algorithm>
#include <atomic>
#include <set>

#include "gateway/api/topic.hpp"
#include "gateway/http_api/detail/handlers.hpp"

namespace edgegw::http_api::detail {

namespace {

json subscription_json(api_context& ctx, const core::broker_core::subscription_entry& e) {
  return {{"clientid", e.client_id},
          {"topic", e.filter},
          {"qos", e.options.qos},
          {"nl", e.options.no_local ? 1 : 0},
          {"rap", e.options.retain_as_published ? 1 : 0},
          {"rh", e.options.retain_handling},
          {"node", ctx.node}};
}

std::string inner_filter(const std::string& f) {
  errc e;
  auto shared = parse_shared_filter(f, &e);
  return shared ? std::string(shared->filter) : f;
}

api_response list_subscriptions(api_context& ctx, const request_target& t) {
  std::string err;
  auto p = parse_paging(t, &err);
  if (!p) return error_response(400, "BAD_REQUEST", err);
  std::optional<int> qos;
  if (auto v = t.param("qos")) {
    if (*v != "0" && *v != "1" && *v != "2")
      return error_response(400, "BAD_REQUEST", "qos must be 0, 1 or 2");
    qos = (*v)[0] - '0';
  }
  auto all = ctx.broker.subscription_entries();
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return std::tie(a.client_id, a.filter) < std::tie(b.client_id, b.filter);
  });
  auto clientid = t.param("clientid");
  auto topic = t.param("topic");
  auto match_topic = t.param("match_topic");
  auto share_group = t.param("share_group");
  std::vector<json> items;
  for (const auto& e : all) {
    if (clientid && e.client_id != *clientid) continue;
    if (topic && e.filter != *topic) continue;
    if (qos && e.options.qos != *qos) continue;
    if (match_topic && !topic_matches(inner_filter(e.filter), *match_topic)) continue;
    if (share_group) {
      errc er;
      auto sh = parse_shared_filter(e.filter, &er);
      if (!sh || sh->group != *share_group) continue;
    }
    items.push_back(subscription_json(ctx, e));
  }
  return paged(std::move(items), *p);
}

api_response list_topics(api_context& ctx, const request_target& t) {
  std::string err;
  auto p = parse_paging(t, &err);
  if (!p) return error_response(400, "BAD_REQUEST", err);
  std::set<std::string> routes;
  for (const auto& e : ctx.broker.subscription_entries()) routes.insert(inner_filter(e.filter));
  auto topic = t.param("topic");
  std::vector<json> items;
  for (const auto& r : routes)
    if (!topic || r == *topic) items.push_back({{"topic", r}, {"node", ctx.node}});
  return paged(std::move(items), *p);
}

json retained_json(const message& m, bool with_payload) {
  json j = {{"topic", m.topic},
            {"qos", m.qos},
            {"from_clientid", m.from_client.empty() ? json() : json(m.from_client)},
            {"payload_size", m.payload.size()}};
  if (with_payload) j["payload"] = base64_encode(m.payload);
  return j;
}

// One publish request body -> outcome JSON and HTTP status. EMQX: 200 {"id"} when it
// reached subscribers, 202 {"reason_code":16,...} when none, 400 for a bad request.
std::pair<unsigned, json> publish_one(api_context& ctx, const json& b) {
  auto bad = [](std::string m) {
    return std::pair<unsigned, json>{400, {{"code", "BAD_REQUEST"}, {"message", std::move(m)}}};
  };
  if (!b.is_object()) return bad("a publish request is a JSON object");
  if (!b.contains("topic") || !b["topic"].is_string()) return bad("topic (a string) is required");
  message m;
  m.topic = b["topic"].get<std::string>();
  std::string encoding = "plain";
  for (const char* k : {"encoding", "payload_encoding"})
    if (b.contains(k)) encoding = b[k].get<std::string>();
  std::string payload = b.value("payload", std::string());
  if (encoding == "base64") {
    auto raw = base64_decode(payload);
    if (!raw) return bad("payload is not valid base64");
    m.payload = std::move(*raw);
  } else if (encoding == "plain") {
    m.payload = std::move(payload);
  } else {
    return bad("encoding must be plain or base64");
  }
  int qos = b.value("qos", 0);
  if (qos < 0 || qos > 2) return bad("qos must be 0, 1 or 2");
  m.qos = static_cast<uint8_t>(qos);
  m.retain = b.value("retain", false);
  if (m.payload.size() > ctx.broker.limits().max_packet_size)
    return bad("payload larger than mqtt.max_packet_size");
  static std::atomic<uint64_t> next_id{1};
  std::string id = "api-" + std::to_string(next_id.fetch_add(1));
  client_info api_client;
  api_client.client_id = b.value("clientid", std::string("http_api"));
  api_client.protocol = "http";
  api_client.is_superuser = true;
  auto r = ctx.broker.publish(api_client, make_message(std::move(m)), {});
  if (!r) return bad(r.error().message());
  if (r.value().matched == 0)
    return {202, {{"id", id}, {"reason_code", 16}, {"message", "no_matching_subscribers"}}};
  return {200, {{"id", id}}};
}

}  // namespace

maybe_response pubsub(api_context& ctx, const api_request& r, const request_target& t,
                      const segs& s) {
  auto get_only = [&]() -> maybe_response {
    if (r.method != "GET") return error_response(405, "METHOD_NOT_ALLOWED", "use GET");
    return std::nullopt;
  };
  if (s.size() == 1 && s[0] == "subscriptions") {
    if (auto e = get_only()) return e;
    return list_subscriptions(ctx, t);
  }
  if (s.size() == 1 && s[0] == "topics") {
    if (auto e = get_only()) return e;
    return list_topics(ctx, t);
  }
  if (s.size() >= 3 && s[0] == "mqtt" && s[1] == "retainer") {
    if (s.size() == 3 && s[2] == "messages") {
      if (auto e = get_only()) return e;
      std::string err;
      auto p = parse_paging(t, &err);
      if (!p) return error_response(400, "BAD_REQUEST", err);
      auto topic = t.param("topic");
      std::vector<json> items;
      for (const auto& m : ctx.broker.retained_messages())
        if (!topic || topic_matches(*topic, m->topic)) items.push_back(retained_json(*m, false));
      return paged(std::move(items), *p);
    }
    if (s.size() >= 4 && s[2] == "message") {
      // The topic may arrive %-encoded in one segment or as several raw segments.
      std::string topic = s[3];
      for (std::size_t i = 4; i < s.size(); ++i) topic += "/" + s[i];
      auto m = ctx.broker.retained_message(topic);
      if (r.method == "GET") {
        if (!m) return error_response(404, "NOT_FOUND", "Viewed message doesn't exist");
        return json_response(200, retained_json(*m, true));
      }
      if (r.method == "DELETE") {
        if (!ctx.broker.delete_retained(topic))
          return error_response(404, "NOT_FOUND", "Viewed message doesn't exist");
        return no_content();
      }
      return error_response(405, "METHOD_NOT_ALLOWED", "use GET or DELETE");
    }
    return std::nullopt;
  }
  if (s[0] == "publish" && s.size() <= 2) {
    bool bulk = s.size() == 2;
    if (bulk && s[1] != "bulk") return std::nullopt;
    if (r.method != "POST") return error_response(405, "METHOD_NOT_ALLOWED", "use POST");
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) return error_response(400, "BAD_REQUEST", "body is not valid JSON");
    if (!bulk) {
      auto [status, j] = publish_one(ctx, body);
      return json_response(status, j);
    }
    if (!body.is_array() || body.empty())
      return error_response(400, "BAD_REQUEST", "publish/bulk takes a non-empty JSON array");
    json out = json::array();
    unsigned worst = 200;
    for (const auto& item : body) {
      auto [status, j] = publish_one(ctx, item);
      if (status == 400)
        worst = 400;
      else if (status == 202 && worst == 200)
        worst = 202;
      out.push_back(std::move(j));
    }
    return json_response(worst, out);
  }
  return std::nullopt;
}

}  // namespace edgegw::http_api::detail
