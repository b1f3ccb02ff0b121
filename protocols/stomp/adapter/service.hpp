// The STOMP gateway as a net::service: a TCP listener (and, with ws_enable, a WebSocket
// one) on the app's io_pool whose accepted sockets run stomp::connection. make_service reads
// [gateway.stomp] and returns nullptr when the gateway is disabled.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/api/broker.hpp"
#include "gateway/net/service.hpp"
#include "gateway/net/status_source.hpp"
#include "protocols/stomp/adapter/settings.hpp"

namespace edgegw::config {
class values;
}
namespace edgegw::net {
class io_pool;
class tcp_listener;
}  // namespace edgegw::net

namespace edgegw::stomp {

struct service_options {
  settings conn;
  std::string bind_host = "127.0.0.1";
  uint16_t bind_port = 61613;
  std::size_t max_connections = 10000;
  double max_conn_rate = 0;  // new connections per second per listener; 0 = unlimited
  bool ws_enable = false;    // STOMP over WebSocket, on its own listener
  std::string ws_host = "127.0.0.1";
  uint16_t ws_port = 61614;
  std::string ws_path = "/stomp";
};

class tcp_service final : public net::service, public net::status_source {
 public:
  tcp_service(service_options opts, net::io_pool& pool, broker& b);
  ~tcp_service() override;
  void start() override;
  std::vector<std::pair<std::string, std::string>> endpoints() const override;
  void stop() override;
  // net::status_source (any thread): GET /api/v5/gateways/stomp, edgegw_gateway_*.
  net::service_status status() const override;

 private:
  service_options opts_;
  std::shared_ptr<gateway_counters> counters_ = std::make_shared<gateway_counters>();
  std::shared_ptr<const settings> cfg_;
  net::io_pool& pool_;
  broker& broker_;
  std::shared_ptr<net::tcp_listener> listener_;
  std::shared_ptr<net::tcp_listener> ws_listener_;
  std::string bind_, ws_bind_;  // set by start(), read by status() on other threads
  const int64_t created_at_ms_;
  std::atomic<int64_t> started_at_ms_{0};
  std::atomic<bool> stop_requested_{false};
};

// From [gateway.stomp] (and node.name for the server header); nullptr when enable = false.
std::unique_ptr<net::service> make_service(const config::values& cfg, net::io_pool& pool,
                                           broker& b);
service_options options_from(const config::values& cfg);

}  // namespace edgegw::stomp
