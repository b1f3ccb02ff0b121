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
}

}  // namespace edgegw::config::detail
