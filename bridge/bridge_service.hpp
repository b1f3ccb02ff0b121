// The bridges of the configuration as one net::service: builds a link per enabled
// [bridge.NAME], starts and stops them together and publishes their $SYS state every
// node.sys_interval.
#pragma once
#include <memory>
#include <vector>

#include "bridge_status.hpp"
#include "gateway/api/broker.hpp"
#include "gateway/net/service.hpp"

namespace edgegw::config {
class values;
}
namespace edgegw::net {
class io_pool;
}

namespace edgegw::bridge {

// The service owning every bridge, or nullptr when none is enabled. Throws
// std::runtime_error (naming the key) for a configuration it cannot run.
std::unique_ptr<net::service> make_bridges(const config::values& cfg, broker& b,
                                           net::io_pool& pool);

// Read access for the management API and metrics.
class bridges_view {
 public:
  virtual ~bridges_view() = default;
  virtual std::vector<bridge_status> bridges() const = 0;
};

}  // namespace edgegw::bridge
