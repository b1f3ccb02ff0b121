// [bridge.NAME]: uplinks to cloud MQTT brokers (SPEC section 9).
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_bridge_keys(std::vector<key_spec>& r) {
  const string_view s = "bridge.*";
  r.push_back(boolean(s, "enable", "true", "Run this bridge."));
  r.push_back(text(s, "server", "", "mqtt://HOST:PORT or mqtts://HOST:PORT of the remote broker."));
}

}  // namespace edgegw::config::detail
