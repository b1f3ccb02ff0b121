// GET /api/v5/prometheus/stats: the Prometheus text exposition format (0.0.4). Broker
// counters as edgegw_*, the process as the standard process_* names, and whatever the
// services report through net::status_source as edgegw_<kind>_<suffix>{name="..."}.
#include <cmath>
#include <map>
#include <sstream>

#include "gateway/http_api/detail/handlers.hpp"
#include "gateway/http_api/process_stats.hpp"
#include "gateway/net/status_source.hpp"

namespace edgegw::http_api::detail {

namespace {

std::string label_value(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// Metric names are [a-zA-Z_:][a-zA-Z0-9_:]*; anything else from a service becomes '_'.
std::string metric_name(std::string_view v) {
  std::string out;
  for (char c : v) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::ostringstream o;
  o.precision(17);
  o << v;
  return o.str();
}

class writer {
 public:
  // One family: HELP and TYPE once, then its samples ("" labels = none).
  void family(std::string_view name, std::string_view type, std::string_view help,
              const std::vector<std::pair<std::string, double>>& samples) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    for (const auto& [labels, v] : samples) {
      out_ << name;
      if (!labels.empty()) out_ << '{' << labels << '}';
      out_ << ' ' << number(v) << '\n';
    }
  }
  void one(std::string_view name, std::string_view type, std::string_view help, double v) {
    family(name, type, help, {{"", v}});
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

}  // namespace

std::string prometheus_text(api_context& ctx) {
  auto& b = ctx.broker;
  auto& m = b.metrics();
  auto ld = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  writer w;
  w.family(
      "edgegw_build_info", "gauge", "Version of this gateway.",
      {{"version=\"" + label_value(ctx.version) + "\",node=\"" + label_value(ctx.node) + "\"", 1}});
  w.one("edgegw_uptime_seconds", "gauge", "Seconds since the broker started.",
        static_cast<double>(b.uptime().count()) / 1000.0);
  w.one("edgegw_connections_count", "gauge", "Connections attached to a session.",
        ld(m.connections_current));
  w.one("edgegw_sessions_count", "gauge", "Sessions, connected or kept for their expiry.",
        static_cast<double>(b.session_count()));
  w.one("edgegw_subscriptions_count", "gauge", "Subscriptions in the topic trie.",
        static_cast<double>(b.subscription_count()));
  w.one("edgegw_retained_count", "gauge", "Retained messages.",
        static_cast<double>(b.retained_count()));
  w.one("edgegw_delayed_count", "gauge", "Messages waiting in $delayed.",
        static_cast<double>(b.delayed_count()));

  std::map<std::string, double> per_protocol;
  for (const auto& c : b.client_snapshots())
    if (c.connected) per_protocol[c.client->protocol] += 1;
  std::vector<std::pair<std::string, double>> clients;
  for (const auto& [p, n] : per_protocol)
    clients.emplace_back("protocol=\"" + label_value(p) + "\"", n);
  w.family("edgegw_clients", "gauge", "Connected clients by protocol.", clients);

  w.one("edgegw_connections_total", "counter", "Connections accepted by the broker.",
        ld(m.connections_total));
  w.one("edgegw_auth_failures_total", "counter", "Refused authentications.", ld(m.auth_failures));
  w.one("edgegw_acl_denials_total", "counter", "Refused publishes or subscribes.",
        ld(m.acl_denials));
  w.one("edgegw_packets_malformed_total", "counter", "Malformed packets (connection closed).",
        ld(m.packets_malformed));
  w.one("edgegw_messages_received_total", "counter", "Messages published to the broker.",
        ld(m.messages_received));
  w.one("edgegw_messages_sent_total", "counter", "Messages delivered to subscribers.",
        ld(m.messages_sent));
  w.one("edgegw_messages_dropped_total", "counter", "Messages dropped (queue limits, expiry).",
        ld(m.messages_dropped));
  w.one("edgegw_messages_dropped_queue_full_total", "counter",
        "Messages dropped because a session queue was full.", ld(m.messages_dropped_queue_full));
  w.one("edgegw_messages_expired_total", "counter", "Messages that expired before delivery.",
        ld(m.messages_expired));
  std::vector<std::pair<std::string, double>> rx, tx;
  for (int q = 0; q < 3; ++q) {
    rx.emplace_back("qos=\"" + std::to_string(q) + "\"", ld(m.messages_received_qos[q]));
    tx.emplace_back("qos=\"" + std::to_string(q) + "\"", ld(m.messages_sent_qos[q]));
  }
  w.family("edgegw_messages_received_by_qos_total", "counter",
           "Messages published to the broker, by QoS.", rx);
  w.family("edgegw_messages_sent_by_qos_total", "counter", "Messages delivered, by QoS.", tx);
  w.one("edgegw_bytes_received_total", "counter", "Bytes read from clients.", ld(m.bytes_received));
  w.one("edgegw_bytes_sent_total", "counter", "Bytes written to clients.", ld(m.bytes_sent));

  // Services (bridges, gateways): one family per kind and suffix, a sample per service.
  std::map<std::string, std::vector<std::pair<std::string, double>>> svc;
  std::map<std::string, std::vector<std::pair<std::string, double>>> up;
  for (const auto& s : ctx.services) {
    auto* src = dynamic_cast<const net::status_source*>(s.get());
    if (!src) continue;
    for (const auto& st : src->statuses()) {
      std::string kind = metric_name(st.kind);
      std::string label = "name=\"" + label_value(st.name) + "\"";
      up["edgegw_" + kind + "_up"].emplace_back(
          label, st.status == "connected" || st.status == "running" ? 1.0 : 0.0);
      for (const auto& [suffix, v] : st.metrics)
        svc["edgegw_" + kind + "_" + metric_name(suffix)].emplace_back(label, v);
    }
  }
  for (const auto& [name, samples] : up)
    w.family(name, "gauge", "1 when the service is running or connected.", samples);
  // By Prometheus' naming convention a *_total is a counter, anything else a gauge.
  for (const auto& [name, samples] : svc) {
    bool counter = name.size() > 6 && name.ends_with("_total");
    w.family(name, counter ? "counter" : "gauge", "Reported by the service.", samples);
  }

  auto ps = read_process_stats();
  w.one("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
        static_cast<double>(ps.rss_bytes));
  w.one("process_cpu_seconds_total", "counter", "User and system CPU time in seconds.",
        ps.cpu_seconds);
  w.one("process_open_fds", "gauge", "Open file descriptors.", static_cast<double>(ps.open_fds));
  w.one("process_max_fds", "gauge", "Limit of open file descriptors.",
        static_cast<double>(ps.max_fds));
  w.one("process_start_time_seconds", "gauge", "Start time since the Unix epoch in seconds.",
        ps.start_time_seconds);
  return w.str();
}

}  // namespace edgegw::http_api::detail
