// The CoAP gateway service: builds the libcoap stack (stack/) and the gateway logic from
// [gateway.coap] and joins them, so gateway/app adds it with one line.
#pragma once
#include <memory>

#include "gateway/api/broker.hpp"
#include "gateway/config/config.hpp"
#include "gateway/net/io_pool.hpp"
#include "gateway/net/service.hpp"

namespace edgegw::coap {

// nullptr when gateway.coap.enable = false. Throws std::runtime_error for settings that
// cannot work (DTLS without keys, unreadable psk_file).
std::unique_ptr<net::service> make_service(const config::values& cfg, broker& b,
                                           net::io_pool& pool);

}  // namespace edgegw::coap
