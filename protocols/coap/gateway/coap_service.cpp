// See coap_service.hpp: [gateway.coap] -> gateway_settings + stack_settings.
#include "protocols/coap/gateway/coap_service.hpp"

#include <algorithm>
#include <stdexcept>

#include "protocols/coap/gateway/detail/coap_adapter.hpp"
#include "gateway/net/tls/psk_config.hpp"

namespace edgegw::coap {

std::unique_ptr<net::service> make_service(const config::values& cfg, broker& b,
                                           net::io_pool& pool) {
  const std::string p = "gateway.coap.";
  if (!cfg.get_bool(p + "enable")) return nullptr;
  gateway_settings g;
  g.mountpoint = cfg.get_string(p + "mountpoint");
  g.connection_required = cfg.get_bool(p + "connection_required");
  const auto& nt = cfg.get_string(p + "notify_type");
  g.notify = nt == "non" ? notify_mode::non : nt == "con" ? notify_mode::con : notify_mode::qos;
  g.idle_timeout = cfg.get_duration(p + "idle_timeout");
  g.heartbeat = cfg.get_duration(p + "heartbeat");
  g.max_clients = static_cast<std::size_t>(cfg.get_int(p + "max_connections"));
  g.max_conn_rate = cfg.get_double(p + "max_conn_rate");
  g.max_observers = static_cast<std::size_t>(cfg.get_int(p + "max_observers"));
  g.max_observers_per_client =
      static_cast<std::size_t>(cfg.get_int(p + "max_observers_per_client"));

  stack_settings s;
  s.name = "coap";
  const auto& udp = cfg.get_endpoint(p + "bind");
  s.udp = bind_address{udp.host, udp.port};
  s.ack_timeout = cfg.get_duration(p + "ack_timeout");
  s.max_retransmit = static_cast<unsigned>(cfg.get_int(p + "max_retransmit"));
  auto& d = s.dtls_cfg;
  d.psk = net::tls::psk_from_config(cfg, "gateway.coap");
  d.certfile = cfg.get_path(p + "certfile").string();
  d.keyfile = cfg.get_path(p + "keyfile").string();
  d.cacertfile = cfg.get_path(p + "cacertfile").string();
  d.verify_peer = cfg.get_string(p + "verify") == "peer";
  const auto& de = cfg.get_string(p + "dtls_enable");
  bool keys = !d.psk.empty() || !d.certfile.empty();
  if (de == "true" || (de == "auto" && keys)) {
    const auto& dtls = cfg.get_endpoint(p + "dtls_bind");
    s.dtls = bind_address{dtls.host, dtls.port};
  }
  // The gateway reassembles Block1 uploads itself (libcoap 4.3.1 needs Size1 for it).
  s.single_body = false;
  block1_limits bl;
  bl.max_body = b.limits().max_packet_size;
  bl.max_total = std::max<std::size_t>(bl.max_total, 2 * bl.max_body);
  // RFC 7252 EXCHANGE_LIFETIME from this gateway's ACK_TIMEOUT and MAX_RETRANSMIT:
  // MAX_TRANSMIT_SPAN + 2 * MAX_LATENCY (100 s) + PROCESSING_DELAY (ACK_TIMEOUT).
  const auto span = s.ack_timeout * ((1u << s.max_retransmit) - 1) * 3 / 2;
  bl.lifetime = span + std::chrono::seconds(200) + s.ack_timeout;
  return std::make_unique<coap_adapter>(b, pool.next(), std::move(g), std::move(s), bl);
}

}  // namespace edgegw::coap
