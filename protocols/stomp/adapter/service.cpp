// tcp_service and its factory: [gateway.stomp] -> settings -> a TCP listener.
#include "protocols/stomp/adapter/service.hpp"

#include <spdlog/spdlog.h>

#include "gateway/config/config.hpp"
#include "gateway/net/gateway_status.hpp"
#include "gateway/net/io_pool.hpp"
#include "gateway/net/tcp_listener.hpp"
#include "protocols/stomp/adapter/connection.hpp"

namespace edgegw::stomp {

tcp_service::tcp_service(service_options opts, net::io_pool& pool, broker& b)
    : opts_(std::move(opts)), pool_(pool), broker_(b), created_at_ms_(net::unix_now_ms()) {
  opts_.conn.counters = counters_;
  cfg_ = std::make_shared<const settings>(opts_.conn);
}

tcp_service::~tcp_service() = default;

void tcp_service::start() {
  auto cfg = cfg_;
  auto* b = &broker_;
  listener_ = std::make_shared<net::tcp_listener>(
      pool_, "stomp", opts_.bind_host, opts_.bind_port, opts_.max_connections,
      [cfg, b](boost::asio::ip::tcp::socket s, net::connection_token token) {
        start_connection(std::move(s), cfg, *b, std::move(token));
      });
  if (opts_.ws_enable) {
    auto path = opts_.ws_path;
    ws_listener_ = std::make_shared<net::tcp_listener>(
        pool_, "stomp_ws", opts_.ws_host, opts_.ws_port, opts_.max_connections,
        [cfg, b, path](boost::asio::ip::tcp::socket s, net::connection_token token) {
          start_ws_connection(std::move(s), cfg, *b, path, std::move(token));
        });
  }
  // The listeners' own accept pacing, as listener.*.NAME.max_conn_rate does for MQTT.
  listener_->set_max_conn_rate(opts_.max_conn_rate);
  if (ws_listener_) ws_listener_->set_max_conn_rate(opts_.max_conn_rate);
  listener_->start();
  if (ws_listener_) ws_listener_->start();
  bind_ = net::to_string(listener_->local_endpoint());
  if (ws_listener_) ws_bind_ = net::to_string(ws_listener_->local_endpoint());
  started_at_ms_ = net::unix_now_ms();
}

net::service_status tcp_service::status() const {
  net::gateway_report r;
  r.name = "stomp";
  const bool started = started_at_ms_.load() != 0;
  r.running = started && !stop_requested_.load();
  r.max_connections = opts_.max_connections;
  // The listeners are set by start() and kept until the service goes.
  if (started) {
    r.listeners.push_back({"tcp", "default", bind_, r.running});
    r.current_connections = listener_->connections();
    if (ws_listener_) {
      r.listeners.push_back({"ws", "default", ws_bind_, r.running});
      r.current_connections += ws_listener_->connections();
    }
  }
  r.created_at_ms = created_at_ms_;
  r.started_at_ms = started_at_ms_.load();
  r.messages_received = counters_->received.load(std::memory_order_relaxed);
  r.messages_sent = counters_->sent.load(std::memory_order_relaxed);
  r.messages_dropped = counters_->dropped.load(std::memory_order_relaxed);
  return net::gateway_status(r);
}

std::vector<std::pair<std::string, std::string>> tcp_service::endpoints() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (listener_) out.emplace_back("stomp", net::to_string(listener_->local_endpoint()));
  if (ws_listener_) out.emplace_back("stomp_ws", net::to_string(ws_listener_->local_endpoint()));
  return out;
}

void tcp_service::stop() {
  stop_requested_ = true;
  if (listener_) listener_->stop();
  if (ws_listener_) ws_listener_->stop();
}

service_options options_from(const config::values& cfg) {
  auto k = [](const char* name) { return std::string("gateway.stomp.") + name; };
  service_options o;
  settings& s = o.conn;
  const auto& ep = cfg.get_endpoint(k("bind"));
  o.bind_host = ep.host;
  o.bind_port = ep.port;
  o.max_connections = static_cast<std::size_t>(cfg.get_int(k("max_connections")));
  o.max_conn_rate = cfg.get_double(k("max_conn_rate"));
  o.ws_enable = cfg.get_bool(k("ws_enable"));
  const auto& ws = cfg.get_endpoint(k("ws_bind"));
  o.ws_host = ws.host;
  o.ws_port = ws.port;
  o.ws_path = cfg.get_string(k("ws_path"));
  s.mountpoint = cfg.get_string(k("mountpoint"));
  s.server = "edgegw/" + cfg.get_string("node.name");
  s.send_qos = static_cast<uint8_t>(cfg.get_int(k("send_qos")));
  s.frame_limits.max_frame_size = static_cast<std::size_t>(cfg.get_size(k("max_frame_size")));
  s.frame_limits.max_headers = static_cast<std::size_t>(cfg.get_int(k("max_headers")));
  s.frame_limits.max_header_length = static_cast<std::size_t>(cfg.get_size(k("max_header_length")));
  s.frame_limits.max_body = static_cast<std::size_t>(cfg.get_size(k("max_body")));
  s.heartbeat_send = cfg.get_duration(k("heartbeat_send"));
  s.heartbeat_receive = cfg.get_duration(k("heartbeat_receive"));
  s.heartbeat_floor = cfg.get_duration(k("heartbeat_min"));
  s.heartbeat_grace = static_cast<unsigned>(cfg.get_int(k("heartbeat_grace")));
  s.connect_timeout = cfg.get_duration(k("connect_timeout"));
  s.max_unacked = static_cast<uint16_t>(cfg.get_int(k("max_unacked")));
  s.max_subscriptions = static_cast<std::size_t>(cfg.get_int(k("max_subscriptions")));
  s.max_transactions = static_cast<std::size_t>(cfg.get_int(k("max_transactions")));
  s.max_transaction_frames = static_cast<std::size_t>(cfg.get_int(k("max_transaction_frames")));
  s.max_redeliveries = static_cast<uint32_t>(cfg.get_int(k("max_redeliveries")));
  s.write_high_water = static_cast<std::size_t>(cfg.get_size(k("write_high_water")));
  return o;
}

std::unique_ptr<net::service> make_service(const config::values& cfg, net::io_pool& pool,
                                           broker& b) {
  if (!cfg.get_bool("gateway.stomp.enable")) return nullptr;
  return std::make_unique<tcp_service>(options_from(cfg), pool, b);
}

}  // namespace edgegw::stomp
