// The DTLS pre-shared keys of a CoAP-based gateway's config section (gateway.coap,
// gateway.lwm2m): the inline psk_identity + psk_key pair and the lines of psk_file.
#pragma once
#include <string>

#include "gateway/config/config.hpp"
#include "protocols/coap/stack/psk_table.hpp"

namespace edgegw::coap {

// `section` is e.g. "gateway.coap". Throws std::runtime_error naming the key and where it
// was set (an identity without a key, a bad psk_file line).
psk_table psk_from_config(const config::values& cfg, const std::string& section);

}  // namespace edgegw::coap
