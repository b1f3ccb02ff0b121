// [gateway.mqttsn]: the MQTT-SN 1.2 gateway (SPEC section 5).
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_mqttsn_keys(std::vector<key_spec>& r) {
  const string_view s = "gateway.mqttsn";
  r.push_back(boolean(s, "enable", "true", "Start the MQTT-SN gateway."));
  r.push_back(address(s, "bind", "0.0.0.0:1884", "UDP address and port; [::]:1884 for IPv6."));
  r.push_back(runtime_template(text(s, "mountpoint", "",
                                    "Prefix added to every topic of MQTT-SN clients; may use "
                                    "${clientid}.")));
  r.push_back(integer(s, "gateway_id", "1", 0, 255, "Gateway id in ADVERTISE and GWINFO."));
  r.push_back(text(s, "predefined.*", "",
                   "A topic id (1-1024) and its topic name, known to every "
                   "client without REGISTER."));
  r.push_back(size(s, "socket_buffer", "4MB", 0, 256 * mib,
                   "UDP receive and send buffer asked of the kernel (capped by "
                   "net.core.rmem_max / wmem_max); 0 = the system default."));
  r.push_back(duration(s, "advertise_interval", "0s", 1s, 0, 18 * hour,
                       "Send ADVERTISE this often to advertise_address; 0 = never."));
  r.push_back(text(s, "advertise_address", "",
                   "HOST:PORT that ADVERTISE goes to, e.g. 224.0.0.1:1884 or [ff02::1]:1884; "
                   "a multicast group is also joined so SEARCHGW sent to it is answered."));
  r.push_back(duration(s, "retry_interval", "10s", 1s, 10, hour,
                       "Tretry: resend an unacknowledged PUBLISH, PUBREL or REGISTER after "
                       "this."));
  r.push_back(integer(s, "max_retries", "5", 0, 100,
                      "Nretry: resends before the client is considered lost (its will fires)."));
  r.push_back(duration(s, "connect_timeout", "30s", 1s, 10, hour,
                       "Time a CONNECT with a will has to finish the WILLTOPIC/WILLMSG "
                       "handshake."));
  r.push_back(duration(s, "session_expiry", "2h", 1s, 0, uint32_seconds,
                       "How long the session of a CleanSession=false client outlives it."));
  r.push_back(integer(s, "max_clients", "1000", 1, unlimited_count,
                      "Clients at once (connected, asleep or connecting); more get CONNACK "
                      "congestion."));
  r.push_back(integer(s, "max_registered_topics", "256", 1, 64511,
                      "Topic ids one client may hold (its REGISTERs and ours)."));
  r.push_back(integer(s, "max_sleep_buffer", "100", 1, 1000000,
                      "Messages held for one sleeping client; when full the oldest is "
                      "dropped."));
  r.push_back(integer(s, "max_inflight", "1", 1, 65535,
                      "Unacknowledged QoS 1/2 PUBLISH towards one client (MQTT-SN clients "
                      "usually handle one at a time)."));
}

}  // namespace edgegw::config::detail
