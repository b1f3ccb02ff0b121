#include "bridge_service.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bridge_settings.hpp"
#include "gateway/api/log.hpp"
#include "gateway/config/config.hpp"
#include "gateway/net/io_pool.hpp"
#include "gateway/net/status_source.hpp"
#include "link.hpp"

namespace edgegw::bridge {

namespace {

// One bridge's state for the management API and the Prometheus scrape.
net::service_status api_status(const bridge_status& b) {
  net::service_status st;
  st.kind = "bridge";
  st.name = b.name;
  st.type = "mqtt";
  st.status = to_string(b.state);
  st.details_json = nlohmann::json{{"server", b.server},
                                   {"last_error", b.last_error},
                                   {"connected_since_ms", b.connected_since_ms},
                                   {"connects", b.connects},
                                   {"forwarded", b.forwarded},
                                   {"received", b.received},
                                   {"dropped", b.dropped},
                                   {"inflight", b.inflight},
                                   {"spool_depth", b.spool_depth},
                                   {"spool_bytes", b.spool_bytes},
                                   {"spool_oldest_age_ms", b.spool_oldest_age_ms}}
                        .dump();
  st.metrics = {{"spool_messages", static_cast<double>(b.spool_depth)},
                {"spool_bytes", static_cast<double>(b.spool_bytes)},
                {"spool_oldest_age_seconds", static_cast<double>(b.spool_oldest_age_ms) / 1000.0},
                {"forwarded_total", static_cast<double>(b.forwarded)},
                {"received_total", static_cast<double>(b.received)},
                {"dropped_total", static_cast<double>(b.dropped)},
                {"inflight", static_cast<double>(b.inflight)}};
  return st;
}

class service final : public net::service, public bridges_view, public net::status_source {
 public:
  service(std::vector<bridge_settings> all, broker& b, net::io_pool& pool, std::string node,
          std::chrono::milliseconds sys_interval)
      : timer_(pool.main()), sys_interval_(sys_interval) {
    for (auto& s : all)
      links_.push_back(std::make_shared<link>(std::move(s), b, pool.next(), node, sys_interval));
  }
  ~service() override {
    for (auto& l : links_) l->stop();
  }

  void start() override {
    for (auto& l : links_) l->start();
    if (sys_interval_.count() > 0) arm();
  }

  void stop() override {
    timer_.cancel();
    for (auto& l : links_) l->stop();
  }

  std::vector<bridge_status> bridges() const override {
    std::vector<bridge_status> out;
    for (const auto& l : links_) out.push_back(l->status());
    return out;
  }

  // net::status_source: every [bridge.NAME] in /api/v5/bridges and the metrics.
  std::vector<net::service_status> statuses() const override {
    std::vector<net::service_status> out;
    for (const auto& l : links_) out.push_back(api_status(l->status()));
    return out;
  }
  net::service_status status() const override { return api_status(links_.front()->status()); }

 private:
  void arm() {
    timer_.expires_after(sys_interval_);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      for (auto& l : links_) {
        auto st = l->status();
        // One line per interval while something is waiting: how far behind the uplink is.
        if (st.spool_depth > 0 || st.state != link_state::connected) {
          log::get("bridge")->info(
              "bridge_stats name={} state={} spool_depth={} spool_bytes={} oldest_age_ms={} "
              "forwarded={} received={} dropped={}",
              st.name, to_string(st.state), st.spool_depth, st.spool_bytes, st.spool_oldest_age_ms,
              st.forwarded, st.received, st.dropped);
        }
        l->publish_sys();
      }
      arm();
    });
  }

  std::vector<std::shared_ptr<link>> links_;
  boost::asio::steady_timer timer_;
  std::chrono::milliseconds sys_interval_;
};

}  // namespace

std::unique_ptr<net::service> make_bridges(const config::values& cfg, broker& b,
                                           net::io_pool& pool) {
  auto all = bridge_settings_from(cfg);
  if (all.empty()) return nullptr;
  return std::make_unique<service>(std::move(all), b, pool, cfg.get_string("node.name"),
                                   cfg.get_duration("node.sys_interval"));
}

}  // namespace edgegw::bridge
