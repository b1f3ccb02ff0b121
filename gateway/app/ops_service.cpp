// See ops_service.hpp.
#include "ops_service.hpp"

#include "board/appliance.hpp"
#include "board/uplink_monitor.hpp"
#include "bridge/bridge_service.hpp"
#include "gateway/config/config.hpp"
#include "gateway/net/gateway_status.hpp"

namespace edgegw::app {

namespace {

using namespace std::chrono_literals;

// How often the bridges are looked at, and how long one may be down before the LED says
// so: longer than a quick reconnect, shorter than the first reconnect back-offs add up to.
constexpr auto uplink_poll = 500ms;
constexpr auto uplink_grace = 3s;

class ops_service final : public net::service {
 public:
  ops_service(broker& b, boost::asio::io_context& main, board::appliance& appliance,
              const std::vector<std::unique_ptr<net::service>>& services, std::string node,
              std::chrono::milliseconds sys_interval)
      : broker_(b),
        services_(services),
        node_(std::move(node)),
        sys_interval_(sys_interval),
        sys_timer_(main),
        uplink_(
            main.get_executor(), uplink_poll, uplink_grace, [this] { return uplinks_up(); },
            [&appliance](bool up) { appliance.uplink(up); }) {}

  void start() override {
    for (const auto& s : services_)
      if (dynamic_cast<const bridge::bridges_view*>(s.get())) has_bridges_ = true;
    if (has_bridges_) uplink_.start();
    if (sys_interval_.count() > 0) arm_sys();
  }

  void stop() override {
    uplink_.stop();
    sys_timer_.cancel();
  }

 private:
  bool uplinks_up() const {
    for (const auto& s : services_) {
      if (auto* v = dynamic_cast<const bridge::bridges_view*>(s.get()))
        for (const auto& b : v->bridges())
          if (b.state != bridge::link_state::connected) return false;
    }
    return true;
  }

  void arm_sys() {
    sys_timer_.expires_after(sys_interval_);
    sys_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      publish_sys();
      arm_sys();
    });
  }

  void publish_sys() {
    client_info me;
    me.client_id = "$edgegw-gateways";
    me.protocol = "internal";
    for (const auto& s : services_) {
      auto* src = dynamic_cast<const net::status_source*>(s.get());
      if (!src) continue;
      for (const auto& st : src->statuses()) {
        if (st.kind != "gateway") continue;
        const std::string base = "$SYS/brokers/" + node_ + "/gateway/" + st.name + "/";
        for (auto& [suffix, value] : net::gateway_sys_values(st)) {
          message m;
          m.topic = base + suffix;
          m.payload = std::move(value);
          m.from_client = me.client_id;
          // $SYS is best effort, as the core's: nobody may be subscribed.
          (void)broker_.publish(me, make_message(std::move(m)));
        }
      }
    }
  }

  broker& broker_;
  const std::vector<std::unique_ptr<net::service>>& services_;
  std::string node_;
  std::chrono::milliseconds sys_interval_;
  boost::asio::steady_timer sys_timer_;
  board::uplink_monitor uplink_;
  bool has_bridges_ = false;
};

}  // namespace

std::unique_ptr<net::service> make_ops_service(
    const config::values& cfg, broker& b, boost::asio::io_context& main,
    board::appliance& appliance, const std::vector<std::unique_ptr<net::service>>& services) {
  return std::make_unique<ops_service>(b, main, appliance, services, cfg.get_string("node.name"),
                                       cfg.get_duration("node.sys_interval"));
}

}  // namespace edgegw::app
