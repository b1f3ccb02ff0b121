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
}

}  // namespace edgegw::config::detail
