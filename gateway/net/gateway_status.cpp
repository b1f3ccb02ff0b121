// See gateway_status.hpp.
#include "gateway/net/gateway_status.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace edgegw::net {

namespace {

// "2026-11-23T17:53:13.123Z"; null when never.
nlohmann::json rfc3339_or_null(int64_t ms) {
  if (ms <= 0) return nullptr;
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

}  // namespace

int64_t unix_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

service_status gateway_status(const gateway_report& r) {
  service_status st;
  st.kind = "gateway";
  st.name = r.name;
  st.type = r.name;
  st.status = r.running ? "running" : "stopped";
  nlohmann::json listeners = nlohmann::json::array();
  for (const auto& l : r.listeners)
    listeners.push_back({{"id", r.name + ":" + l.type + ":" + l.name},
                         {"type", l.type},
                         {"name", l.name},
                         {"bind", l.bind},
                         {"running", l.running}});
  st.details_json = nlohmann::json{{"enable", true},
                                   {"current_connections", r.current_connections},
                                   {"max_connections", r.max_connections},
                                   {"listeners", std::move(listeners)},
                                   {"created_at", rfc3339_or_null(r.created_at_ms)},
                                   {"started_at", rfc3339_or_null(r.started_at_ms)},
                                   {"messages_received", r.messages_received},
                                   {"messages_sent", r.messages_sent},
                                   {"messages_dropped", r.messages_dropped}}
                        .dump();
  st.metrics = {{"current_connections", static_cast<double>(r.current_connections)},
                {"max_connections", static_cast<double>(r.max_connections)},
                {"messages_received_total", static_cast<double>(r.messages_received)},
                {"messages_sent_total", static_cast<double>(r.messages_sent)},
                {"messages_dropped_total", static_cast<double>(r.messages_dropped)}};
  return st;
}

std::vector<std::pair<std::string, std::string>> gateway_sys_values(const service_status& st) {
  static const std::pair<const char*, const char*> names[] = {
      {"current_connections", "clients/count"},
      {"max_connections", "clients/max"},
      {"messages_received_total", "messages/received"},
      {"messages_sent_total", "messages/sent"},
      {"messages_dropped_total", "messages/dropped"}};
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [metric, topic] : names) {
    for (const auto& [k, v] : st.metrics)
      if (k == metric) out.emplace_back(topic, std::to_string(static_cast<uint64_t>(v)));
  }
  out.emplace_back("status", st.status);
  return out;
}

}  // namespace edgegw::net
