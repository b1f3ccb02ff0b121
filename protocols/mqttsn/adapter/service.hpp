// The MQTT-SN gateway as a net::service: one UDP socket (IPv4 or IPv6) on the gateway's
// executor, the Sans-I/O gateway (gateway.hpp) behind it, ADVERTISE on a timer and the
// gateway's counters in $SYS. make_service reads [gateway.mqttsn] and returns nullptr when
// the gateway is disabled.
#pragma once
#include "gateway/api/asio.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/api/broker.hpp"
#include "gateway/net/service.hpp"
#include "gateway/net/status_source.hpp"
#include "protocols/mqttsn/adapter/settings.hpp"
#include "protocols/mqttsn/adapter/stats.hpp"

namespace edgegw::config {
class values;
}
namespace edgegw::net {
class io_pool;
}

namespace edgegw::mqttsn {

struct service_options {
  settings gw;
  std::string bind_host = "127.0.0.1";
  uint16_t bind_port = 1884;
  std::size_t socket_buffer = 4 * 1024 * 1024;  // SO_RCVBUF / SO_SNDBUF asked for; 0 = default
  // ADVERTISE every interval to this address (0 / nullopt: off). A multicast group is
  // also joined, so SEARCHGW sent to it reaches the gateway.
  std::chrono::milliseconds advertise_interval{0};
  std::optional<boost::asio::ip::udp::endpoint> advertise_to;
  // $SYS/brokers/<node>/gateway/mqttsn/... every sys_interval (0: off).
  std::string node_name = "edgegw";
  std::chrono::milliseconds sys_interval{60000};
};

class udp_service final : public net::service, public net::status_source {
 public:
  udp_service(service_options opts, boost::asio::io_context& io, broker& b);
  ~udp_service() override;
  void start() override;
  std::vector<std::pair<std::string, std::string>> endpoints() const override;
  void stop() override;
  // Counters, for $SYS and the HTTP API; readable from any thread.
  const gateway_stats& stats() const noexcept;
  // net::status_source: GET /api/v5/gateways/mqttsn, edgegw_gateway_*{name="mqttsn"}.
  net::service_status status() const override;

  class impl;

 private:
  std::shared_ptr<impl> impl_;
};

// From [gateway.mqttsn] (and node.name, node.sys_interval); nullptr when enable = false.
// Throws std::runtime_error naming the key for values the schema cannot check.
std::unique_ptr<net::service> make_service(const config::values& cfg, net::io_pool& pool,
                                           broker& b);
// The settings part alone (tests).
service_options options_from(const config::values& cfg);

}  // namespace edgegw::mqttsn
