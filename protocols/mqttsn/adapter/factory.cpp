// make_service: [gateway.mqttsn] -> service_options -> udp_service. The schema checks types
// and ranges; what it cannot (predefined ids and names, the advertise address) is checked
// here and refused with the key's name.
#include <charconv>
#include <stdexcept>

#include "gateway/config/config.hpp"
#include "gateway/net/io_pool.hpp"
#include "service.hpp"

namespace edgegw::mqttsn {

namespace {

constexpr std::string_view section = "gateway.mqttsn.";

std::optional<boost::asio::ip::udp::endpoint> parse_udp_endpoint(const std::string& text,
                                                                 const std::string& key) {
  if (text.empty()) return std::nullopt;
  std::string host;
  std::string port;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      throw std::runtime_error(key + ": expected HOST:PORT or [V6]:PORT, got '" + text + "'");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
      throw std::runtime_error(key + ": expected HOST:PORT or [V6]:PORT, got '" + text + "'");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  boost::system::error_code ec;
  auto addr = boost::asio::ip::make_address(host, ec);
  unsigned p = 0;
  auto [ptr, err] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec || err != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535)
    throw std::runtime_error(key + ": '" + text + "' is not an IP address and port");
  return boost::asio::ip::udp::endpoint(addr, static_cast<uint16_t>(p));
}

}  // namespace

service_options options_from(const config::values& cfg) {
  auto k = [](std::string_view name) { return std::string(section) + std::string(name); };
  service_options o;
  settings& s = o.gw;
  s.mountpoint = cfg.get_string(k("mountpoint"));
  s.gateway_id = static_cast<uint8_t>(cfg.get_int(k("gateway_id")));
  for (const auto& key : cfg.keys_with_prefix(k("predefined."))) {
    std::string id_text = key.substr(k("predefined.").size());
    unsigned id = 0;
    auto [ptr, err] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (err != std::errc() || ptr != id_text.data() + id_text.size() || id < 1 || id > 1024)
      throw std::runtime_error(key + " (" + cfg.origin_of(key).str() +
                               "): predefined topic ids are 1-1024");
    const std::string& topic = cfg.get_string(key);
    if (validate_topic_name(topic) != errc::ok)
      throw std::runtime_error(key + " (" + cfg.origin_of(key).str() + "): '" + topic +
                               "' is not a topic name (no wildcards)");
    if (s.predefined_ids.count(topic))
      throw std::runtime_error(key + " (" + cfg.origin_of(key).str() + "): topic '" + topic +
                               "' already has a predefined id");
    s.predefined.emplace(static_cast<uint16_t>(id), topic);
    s.predefined_ids.emplace(topic, static_cast<uint16_t>(id));
  }
  s.retry_interval = cfg.get_duration(k("retry_interval"));
  s.max_retries = static_cast<unsigned>(cfg.get_int(k("max_retries")));
  s.connect_timeout = cfg.get_duration(k("connect_timeout"));
  s.session_expiry = static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(cfg.get_duration(k("session_expiry")))
          .count());
  s.max_clients = static_cast<std::size_t>(cfg.get_int(k("max_clients")));
  s.max_registered_topics = static_cast<std::size_t>(cfg.get_int(k("max_registered_topics")));
  s.max_sleep_buffer = static_cast<std::size_t>(cfg.get_int(k("max_sleep_buffer")));
  s.max_inflight = static_cast<uint16_t>(cfg.get_int(k("max_inflight")));

  const auto& bind = cfg.get_endpoint(k("bind"));
  o.bind_host = bind.host;
  o.bind_port = bind.port;
  o.socket_buffer = static_cast<std::size_t>(cfg.get_size(k("socket_buffer")));
  o.advertise_interval = cfg.get_duration(k("advertise_interval"));
  o.advertise_to =
      parse_udp_endpoint(cfg.get_string(k("advertise_address")), k("advertise_address"));
  if (o.advertise_interval.count() > 0 && !o.advertise_to)
    throw std::runtime_error(k("advertise_interval") +
                             ": ADVERTISE needs gateway.mqttsn.advertise_address");
  o.node_name = cfg.get_string("node.name");
  o.sys_interval = cfg.get_duration("node.sys_interval");
  return o;
}

std::unique_ptr<net::service> make_service(const config::values& cfg, net::io_pool& pool,
                                           broker& b) {
  if (!cfg.get_bool("gateway.mqttsn.enable")) return nullptr;
  auto o = options_from(cfg);
  o.gw.max_datagram = std::min<std::size_t>(65535, b.limits().max_packet_size);
  return std::make_unique<udp_service>(std::move(o), pool.main(), b);
}

}  // namespace edgegw::mqttsn
