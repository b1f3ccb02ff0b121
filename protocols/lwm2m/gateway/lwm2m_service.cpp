// See lwm2m_service.hpp: [gateway.lwm2m] -> gateway_settings + stack_settings + objects.
#include "protocols/lwm2m/gateway/lwm2m_service.hpp"

#include <stdexcept>

#include "gateway/api/log.hpp"
#include "gateway/net/tls/psk_config.hpp"
#include "protocols/lwm2m/gateway/lwm2m_gateway.hpp"

namespace edgegw::lwm2m {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    auto b = cur.find_first_not_of(" \t");
    auto e = cur.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(cur.substr(b, e - b + 1));
    cur.clear();
  };
  for (char c : text) {
    if (c == ',')
      flush();
    else
      cur.push_back(c);
  }
  flush();
  return out;
}

}  // namespace

std::unique_ptr<net::service> make_service(const config::values& cfg, broker& b,
                                           net::io_pool& pool) {
  const std::string p = "gateway.lwm2m.";
  if (!cfg.get_bool(p + "enable")) return nullptr;
  gateway_settings g;
  g.mountpoint = cfg.get_string(p + "mountpoint");
  g.definitions_dir = cfg.get_path(p + "definitions_dir");
  g.qmode_time_window = cfg.get_duration(p + "qmode_time_window");
  g.lifetime_min = cfg.get_duration(p + "lifetime_min");
  g.lifetime_max = cfg.get_duration(p + "lifetime_max");
  if (g.lifetime_min > g.lifetime_max)
    throw std::runtime_error("gateway.lwm2m: lifetime_min is above lifetime_max");
  g.command_timeout = cfg.get_duration(p + "command_timeout");
  const auto& ao = cfg.get_string(p + "auto_observe");
  if (ao == "true" || ao == "on") {
    g.auto_observe_all = true;
  } else if (ao != "false" && ao != "off" && !ao.empty()) {
    for (auto& path : split_list(ao)) {
      auto parsed = parse_path(path);
      if (!parsed)
        throw std::runtime_error("gateway.lwm2m.auto_observe: " + parsed.error().reason + " (" +
                                 cfg.origin_of(p + "auto_observe").str() + ")");
      g.auto_observe_paths.push_back(to_string(parsed.value()));
    }
  }
  g.topic_command = cfg.get_string(p + "topic_command");
  g.topic_response = cfg.get_string(p + "topic_response");
  g.topic_notify = cfg.get_string(p + "topic_notify");
  g.topic_register = cfg.get_string(p + "topic_register");
  g.topic_update = cfg.get_string(p + "topic_update");
  g.max_devices = static_cast<std::size_t>(cfg.get_int(p + "max_devices"));
  g.max_queued_commands = static_cast<std::size_t>(cfg.get_int(p + "max_queued_commands"));

  // Object definitions: a bad file stops the start; a missing directory leaves every
  // object to the generic decoding (so the shipped defaults start anywhere).
  object_registry objects;
  std::error_code ec;
  if (std::filesystem::is_directory(g.definitions_dir, ec)) {
    auto loaded = object_registry::load_directory(g.definitions_dir);
    if (!loaded) {
      std::string why;
      for (const auto& e : loaded.error()) why += (why.empty() ? "" : "; ") + e;
      throw std::runtime_error("gateway.lwm2m.definitions_dir: " + why);
    }
    objects = std::move(loaded).value();
  } else {
    log::get("lwm2m")->warn("no_definitions dir={} (objects decode with generic types)",
                            g.definitions_dir.string());
  }

  coap::stack_settings s;
  s.name = "lwm2m";
  const auto& udp = cfg.get_endpoint(p + "bind");
  s.udp = coap::bind_address{udp.host, udp.port};
  s.ack_timeout = cfg.get_duration(p + "ack_timeout");
  s.max_retransmit = static_cast<unsigned>(cfg.get_int(p + "max_retransmit"));
  auto& d = s.dtls_cfg;
  d.psk = net::tls::psk_from_config(cfg, "gateway.lwm2m");
  const auto& de = cfg.get_string(p + "dtls_enable");
  if (de == "true" || (de == "auto" && !d.psk.empty())) {
    const auto& dtls = cfg.get_endpoint(p + "dtls_bind");
    s.dtls = coap::bind_address{dtls.host, dtls.port};
    g.psk_per_endpoint = true;
  }
  return std::make_unique<lwm2m_gateway>(b, pool.next(), std::move(g), std::move(s),
                                         std::move(objects));
}

}  // namespace edgegw::lwm2m
