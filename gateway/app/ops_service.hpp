// The app's own periodic duties over the other services, on the main io_context:
// - every node.sys_interval, each gateway's statistics (net::gateway_sys_values of its
//   net::status_source) under $SYS/brokers/<node>/gateway/<name>/...;
// - the status LED's uplink pattern from the bridges (board::uplink_monitor): down while a
//   bridge has not been connected for longer than a short grace.
// Lives in the app so that neither bridge/ nor the gateways depend on board/.
#pragma once
#include <memory>
#include <vector>

#include "gateway/api/asio.hpp"
#include "gateway/api/broker.hpp"
#include "gateway/net/service.hpp"

namespace edgegw::config {
class values;
}
namespace edgegw::board {
class appliance;
}

namespace edgegw::app {

// `services` is the app's list, read at each tick (filled before start()).
std::unique_ptr<net::service> make_ops_service(
    const config::values& cfg, broker& b, boost::asio::io_context& main,
    board::appliance& appliance, const std::vector<std::unique_ptr<net::service>>& services);

}  // namespace edgegw::app
