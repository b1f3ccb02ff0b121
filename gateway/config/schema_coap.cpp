// [gateway.coap]: the CoAP gateway (SPEC section 6).
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_coap_keys(std::vector<key_spec>& r) {
  const string_view s = "gateway.coap";
  r.push_back(boolean(s, "enable", "true", "Start the CoAP gateway."));
  r.push_back(address(s, "bind", "0.0.0.0:5683", "UDP address and port of plain CoAP."));
  r.push_back(runtime_template(text(s, "mountpoint", "",
                                    "Prefix added to every topic of CoAP clients; may use "
                                    "${clientid} and ${username}.")));
  r.push_back(boolean(s, "connection_required", "false",
                      "Clients must POST /mqtt/connection first and pass clientid and token."));
  r.push_back(choice(s, "dtls_enable", "auto", "auto|true|false",
                     "CoAP over DTLS listener: auto starts it when PSK or certificate keys "
                     "are set; true requires them."));
  r.push_back(address(s, "dtls_bind", "0.0.0.0:5684", "UDP address and port of CoAP over DTLS."));
  r.push_back(text(s, "psk_identity", "", "DTLS PSK: the one client identity given inline."));
  r.push_back(text(s, "psk_key", "", "DTLS PSK: the key of psk_identity, as text."));
  r.push_back(file(s, "psk_file", "",
                   "DTLS PSK: a file of identity:hexkey lines (with or instead of psk_identity)."));
  r.push_back(file(s, "certfile", "", "DTLS certificate (PEM) of the gateway."));
  r.push_back(file(s, "keyfile", "", "Private key (PEM) of certfile."));
  r.push_back(
      file(s, "cacertfile", "", "CA certificates (PEM) that client certificates chain to."));
  r.push_back(choice(s, "verify", "none", "none|peer",
                     "peer: DTLS clients must present a certificate signed by cacertfile."));
  r.push_back(choice(s, "notify_type", "qos", "non|con|qos",
                     "Observe notifications: always NON, always CON, or CON for QoS 1/2 and NON "
                     "for QoS 0 messages."));
  r.push_back(duration(s, "idle_timeout", "30s", 1s, 1 * second, day,
                       "Connectionless mode: a client without observers and silent this long "
                       "loses its session."));
  r.push_back(duration(s, "heartbeat", "30s", 1s, 1 * second, day,
                       "Connection mode: a client silent for 1.5 times this long is "
                       "disconnected (PUT /mqtt/connection is the heartbeat)."));
  r.push_back(integer(s, "max_connections", "1000", 1, unlimited_count,
                      "CoAP clients with a session at once (both modes); more get 5.03."));
  r.push_back(number(s, "max_conn_rate", "0", 0.0, 1e6,
                     "New CoAP sessions (POST /mqtt/connection, a connectionless client's first "
                     "request) per second; 0 = unlimited. Over it: 5.03 with Max-Age."));
  r.push_back(integer(s, "max_observers", "10000", 1, unlimited_count,
                      "Observers (subscriptions) over all CoAP clients; more get 5.03."));
  r.push_back(integer(s, "max_observers_per_client", "32", 1, 65535,
                      "Observers of one client; more get 5.03."));
  r.push_back(duration(
      s, "ack_timeout", "2s", 1ms, 1 * second, 60 * second,
      "CON retransmission: first timeout (RFC 7252 ACK_TIMEOUT; libcoap takes 1s or more)."));
  r.push_back(integer(s, "max_retransmit", "4", 1, 20,
                      "CON retransmissions before a CON notification counts as lost and its "
                      "observer is removed."));
}

}  // namespace edgegw::config::detail
