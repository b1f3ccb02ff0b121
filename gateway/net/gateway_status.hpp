// What a protocol gateway (MQTT-SN, CoAP, STOMP, LwM2M) reports about itself, and its
// conversion to the generic net::service_status: one shape for every gateway, so the API
// (EMQX's GET /api/v5/gateways), the Prometheus scrape (edgegw_gateway_*{name=...}) and
// the per-gateway $SYS topics read the same fields. A gateway service derives from
// net::status_source and returns gateway_status(report) from status().
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "gateway/net/status_source.hpp"

namespace edgegw::net {

struct gateway_listener {
  std::string type;  // "udp", "dtls", "tcp", "ws"
  std::string name;  // "default"
  std::string bind;  // "127.0.0.1:1884"
  bool running = false;
};

struct gateway_report {
  std::string name;  // "mqttsn", "coap", "stomp", "lwm2m"
  bool running = false;
  uint64_t current_connections = 0;
  uint64_t max_connections = 0;
  std::vector<gateway_listener> listeners;
  int64_t created_at_ms = 0;  // unix ms: the service was built
  int64_t started_at_ms = 0;  // unix ms: start() succeeded; 0 = never
  // PUBLISH/SEND/POST routed into the broker; messages written to clients; messages the
  // gateway lost (buffers full, redelivery limit, refused) — each gateway's own counts.
  uint64_t messages_received = 0;
  uint64_t messages_sent = 0;
  uint64_t messages_dropped = 0;
};

// kind "gateway", status "running" | "stopped"; details_json holds EMQX's fields
// (current_connections, max_connections, listeners [{id, type, name, bind, running}],
// created_at, started_at as RFC 3339) plus messages_received/sent/dropped; metrics are
// current_connections, max_connections and messages_{received,sent,dropped}_total.
service_status gateway_status(const gateway_report& r);

// Unix time in milliseconds (for created_at_ms / started_at_ms).
int64_t unix_now_ms();

}  // namespace edgegw::net

namespace edgegw::net {

// The per-gateway $SYS statistics of a gateway's status, as (topic suffix, payload) pairs
// to publish under $SYS/brokers/<node>/gateway/<name>/: clients/count, clients/max,
// messages/received, messages/sent, messages/dropped (from its metrics) and status.
std::vector<std::pair<std::string, std::string>> gateway_sys_values(const service_status& st);

}  // namespace edgegw::net
