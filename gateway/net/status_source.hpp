// The status hook of a service (a protocol gateway or a bridge) for the management API:
// a net::service that also derives from status_source shows up in GET /api/v5/gateways or
// GET /api/v5/bridges, and its gauges in the Prometheus scrape. The API finds it with a
// dynamic_cast, so a service without it simply is not listed ("unloaded").
// Threading: status() is called from the API's thread while the service runs; it must be
// thread-safe (atomics or a copy under the service's own lock) and must not block.
// A protocol gateway fills a net::gateway_report and returns net::gateway_status(report)
// (gateway_status.hpp): the same shape for every gateway in the API, Prometheus and $SYS.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace edgegw::net {

struct service_status {
  std::string kind;    // "gateway" or "bridge"
  std::string name;    // "mqttsn", "coap", ... for gateways; the NAME of [bridge.NAME]
  std::string type;    // bridges: "mqtt"; gateways: same as name
  std::string status;  // gateways: "running" | "stopped"; bridges: "connected" |
                       // "disconnected" | "connecting"
  // Extra fields merged into the service's JSON object in the API, as a serialized JSON
  // object (e.g. {"current_connections":3,"listeners":[...]} or a bridge's
  // {"spool_depth":12,"last_error":"..."}); empty = none.
  std::string details_json;
  // Prometheus gauges/counters: suffix -> value, exported as
  // edgegw_<kind>_<suffix>{name="<name>"}, e.g. {"spool_messages", 12}.
  std::vector<std::pair<std::string, double>> metrics;
};

class status_source {
 public:
  virtual ~status_source() = default;
  virtual service_status status() const = 0;
  // A service holding several units (one per [bridge.NAME]) lists each; default: status().
  virtual std::vector<service_status> statuses() const { return {status()}; }
};

}  // namespace edgegw::net
