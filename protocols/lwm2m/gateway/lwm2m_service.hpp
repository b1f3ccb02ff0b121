// The LwM2M gateway service: builds the libcoap stack and the gateway from
// [gateway.lwm2m], so gateway/app adds it with one line.
#pragma once
#include <memory>

#include "gateway/api/broker.hpp"
#include "gateway/config/config.hpp"
#include "gateway/net/io_pool.hpp"
#include "gateway/net/service.hpp"

namespace edgegw::lwm2m {

// nullptr when gateway.lwm2m.enable = false. Throws std::runtime_error for settings that
// cannot work (DTLS without keys, unreadable psk_file, bad object definitions).
std::unique_ptr<net::service> make_service(const config::values& cfg, broker& b,
                                           net::io_pool& pool);

}  // namespace edgegw::lwm2m
