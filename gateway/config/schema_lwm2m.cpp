// [gateway.lwm2m]: the LwM2M server gateway (SPEC section 7). Names follow EMQX's LwM2M
// gateway where it has the same setting (qmode_time_window, lifetime_min/max,
// auto_observe, translators.*).
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_lwm2m_keys(std::vector<key_spec>& r) {
  const string_view s = "gateway.lwm2m";
  r.push_back(boolean(s, "enable", "true", "Start the LwM2M server gateway."));
  r.push_back(address(s, "bind", "0.0.0.0:5783", "UDP address and port of LwM2M over CoAP."));
  r.push_back(choice(s, "dtls_enable", "auto", "auto|true|false",
                     "LwM2M over DTLS listener: auto starts it when PSK keys are set; true "
                     "requires them."));
  r.push_back(address(s, "dtls_bind", "0.0.0.0:5784", "UDP address and port of LwM2M over DTLS."));
  r.push_back(runtime_template(text(s, "mountpoint", "lwm2m/${endpoint_name}/",
                                    "Prefix of every topic of a device; may use ${endpoint_name} "
                                    "(= ${clientid}) and ${username}.")));
  r.push_back(file(s, "definitions_dir", "/etc/edgegw/lwm2m",
                   "Directory of object definition files (etc/lwm2m in the source tree). "
                   "Objects not found there decode with generic types."));
  r.push_back(duration(s, "qmode_time_window", "22s", 1s, 1 * second, day,
                       "A queue-mode device (binding UQ or the Q parameter) silent this long is "
                       "asleep: commands for it are held until it next talks."));
  r.push_back(duration(s, "lifetime_min", "1s", 1s, 1 * second, uint32_seconds,
                       "Shortest registration lifetime (lt) accepted; shorter: 4.00."));
  r.push_back(duration(s, "lifetime_max", "86400s", 1s, 1 * second, uint32_seconds,
                       "Longest registration lifetime accepted, and the lifetime of "
                       "registrations without lt; longer: 4.00."));
  r.push_back(text(s, "auto_observe", "false",
                   "Observe objects on registration: false, true (every registered object "
                   "except 0-2, 4-7, 9, 15) or a comma-separated list of paths, e.g. "
                   "/3303/0,/3/0/13."));
  r.push_back(text(s, "topic_command", "dn/#",
                   "Topic (under the mountpoint) the device's commands arrive on."));
  r.push_back(text(s, "topic_response", "up/resp",
                   "Topic of command responses, ack, coap_timeout and coap_reset messages and "
                   "deregister events."));
  r.push_back(text(s, "topic_notify", "up/notify", "Topic of observe notifications."));
  r.push_back(text(s, "topic_register", "up/resp", "Topic of register events."));
  r.push_back(text(s, "topic_update", "up/resp", "Topic of update events."));
  r.push_back(text(s, "psk_identity", "",
                   "DTLS PSK: the one identity given inline; it must equal the endpoint name."));
  r.push_back(text(s, "psk_key", "", "DTLS PSK: the key of psk_identity, as text."));
  r.push_back(file(s, "psk_file", "",
                   "DTLS PSK: a file of identity:hexkey lines, one per endpoint (identity = "
                   "endpoint name)."));
  r.push_back(integer(s, "max_devices", "1000", 1, unlimited_count,
                      "Registered devices at once; more get 5.03."));
  r.push_back(integer(s, "max_queued_commands", "32", 1, 65535,
                      "Commands held or waiting per device; more are answered with an error."));
  r.push_back(duration(s, "command_timeout", "60s", 1s, 1 * second, day,
                       "A command not answered within this time (held for a sleeping device "
                       "included) gets a coap_timeout message on up/resp."));
  r.push_back(
      duration(s, "ack_timeout", "2s", 1ms, 1 * second, 60 * second,
               "CON retransmission towards devices: first timeout (RFC 7252 ACK_TIMEOUT)."));
  r.push_back(integer(s, "max_retransmit", "4", 1, 20,
                      "CON retransmissions before a command counts as unanswered."));
}

}  // namespace edgegw::config::detail
