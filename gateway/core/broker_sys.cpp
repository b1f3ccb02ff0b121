// broker_core: $SYS statistics and client connected/disconnected events, in both EMQX's
// ($SYS/brokers/<node>/...) and mosquitto's ($SYS/broker/...) layouts, so dashboards
// written for either find their topics.
#include <nlohmann/json.hpp>

#include "broker_core.hpp"
#include "gateway/api/log.hpp"

namespace edgegw::core {

namespace {

const char* reason_name(close_reason r) {
  switch (r) {
    case close_reason::normal:
      return "normal";
    case close_reason::normal_with_will:
      return "normal_with_will";
    case close_reason::connection_lost:
      return "sock_closed";
    case close_reason::keepalive_timeout:
      return "keepalive_timeout";
    case close_reason::protocol_error:
      return "protocol_error";
    case close_reason::malformed:
      return "frame_error";
    case close_reason::taken_over:
      return "takenover";
    case close_reason::kicked:
      return "kicked";
    case close_reason::server_shutdown:
      return "server_shutdown";
    case close_reason::quota_exceeded:
      return "quota_exceeded";
    case close_reason::not_authorized:
      return "not_authorized";
  }
  return "unknown";
}

// "1.2.3.4:567" or "[::1]:567" -> (ip, port)
std::pair<std::string, int> split_peer(const std::string& peer) {
  auto colon = peer.rfind(':');
  if (colon == std::string::npos) return {peer, 0};
  std::string host = peer.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(peer.substr(colon + 1));
  } catch (...) {
  }
  return {host, port};
}

}  // namespace

void broker_core::publish_client_event(const client_info& c, bool connected, close_reason reason,
                                       const session_options* opts) {
  if (settings_.sys_interval.count() == 0 || c.protocol == "internal") return;
  int64_t now = unix_ms_now();
  auto [ip, port] = split_peer(c.peer);
  nlohmann::json j = {
      {"clientid", c.client_id},
      {"username", c.username.empty() ? nlohmann::json() : nlohmann::json(c.username)},
      {"ipaddress", ip},
      {"sockport", port},
      {"proto_name", c.protocol == "mqtt" ? "MQTT" : c.protocol},
      {"proto_ver", c.protocol_version},
      {"ts", now}};
  if (connected) {
    j["connected_at"] = now;
    j["connack"] = 0;
    if (opts) {
      j["clean_start"] = opts->clean_start;
      j["expiry_interval"] = opts->expiry_interval;
      j["keepalive"] = opts->keepalive;
    }
  } else {
    j["disconnected_at"] = now;
    j["reason"] = reason_name(reason);
  }
  message m;
  m.topic = "$SYS/brokers/" + settings_.node_name + "/clients/" + c.client_id +
            (connected ? "/connected" : "/disconnected");
  m.payload = j.dump();
  m.from_client = "$edgegw";
  route(make_message(std::move(m)), nullptr);
}

void broker_core::start() {
  if (settings_.sys_interval.count() == 0) return;
  publish_sys();
}

void broker_core::publish_sys() {
  if (stopping_) return;
  auto up =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_)
          .count();
  const std::string emqx = "$SYS/brokers/" + settings_.node_name + "/";
  auto pub = [&](const std::string& topic, std::string payload) {
    message m;
    m.topic = topic;
    m.payload = std::move(payload);
    // As each broker does: EMQX retains only its static topics, mosquitto all of its own.
    m.retain = topic.compare(0, 12, "$SYS/broker/") == 0 || topic == emqx + "version" ||
               topic == emqx + "sysdescr";
    m.from_client = "$edgegw";
    auto msg = make_message(std::move(m));
    if (msg->retain) store_retained(msg);
    route(msg, nullptr);
  };
  auto n = [](auto v) { return std::to_string(v); };
  const auto& mt = metrics_;
  auto ld = [](const auto& a) { return a.load(std::memory_order_relaxed); };
  pub(emqx + "version", settings_.version);
  pub(emqx + "sysdescr", "edgegw edge IoT gateway");
  pub(emqx + "uptime", n(up));
  pub(emqx + "datetime", n(unix_ms_now() / 1000));
  // EMQX's names: $SYS/brokers/<node>/stats/... and /metrics/...
  pub(emqx + "stats/connections/count", n(ld(mt.connections_current)));
  pub(emqx + "stats/sessions/count", n(session_count()));
  pub(emqx + "stats/subscriptions/count", n(subscription_count()));
  pub(emqx + "stats/retained/count", n(retained_count()));
  pub(emqx + "stats/delayed/count", n(delayed_count()));
  pub(emqx + "metrics/messages/received", n(ld(mt.messages_received)));
  pub(emqx + "metrics/messages/sent", n(ld(mt.messages_sent)));
  pub(emqx + "metrics/messages/dropped", n(ld(mt.messages_dropped)));
  pub(emqx + "metrics/messages/expired", n(ld(mt.messages_expired)));
  pub(emqx + "metrics/messages/retained", n(retained_count()));
  pub(emqx + "metrics/delivery/dropped/queue_full", n(ld(mt.messages_dropped_queue_full)));
  pub(emqx + "metrics/bytes/received", n(ld(mt.bytes_received)));
  pub(emqx + "metrics/bytes/sent", n(ld(mt.bytes_sent)));
  pub(emqx + "metrics/packets/malformed", n(ld(mt.packets_malformed)));
  pub(emqx + "metrics/client/auth/failure", n(ld(mt.auth_failures)));
  pub(emqx + "metrics/client/acl/deny", n(ld(mt.acl_denials)));
  // mosquitto's names: $SYS/broker/...
  pub("$SYS/broker/version", "edgegw " + settings_.version);
  pub("$SYS/broker/uptime", n(up) + " seconds");
  pub("$SYS/broker/clients/connected", n(ld(mt.connections_current)));
  pub("$SYS/broker/clients/total", n(session_count()));
  pub("$SYS/broker/messages/received", n(ld(mt.messages_received)));
  pub("$SYS/broker/messages/sent", n(ld(mt.messages_sent)));
  pub("$SYS/broker/messages/dropped", n(ld(mt.messages_dropped)));
  pub("$SYS/broker/bytes/received", n(ld(mt.bytes_received)));
  pub("$SYS/broker/bytes/sent", n(ld(mt.bytes_sent)));
  pub("$SYS/broker/subscriptions/count", n(subscription_count()));
  pub("$SYS/broker/retained messages/count", n(retained_count()));
  timers_.schedule_after(settings_.sys_interval, [this] { publish_sys(); });
}

}  // namespace edgegw::core
