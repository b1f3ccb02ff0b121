// The management API's HTTP/1.1 server (Boost.Beast) on api.bind: basic authentication,
// then the router (api_context.hpp). A net::service, started with the gateways and
// bridges, so its address appears in READY's EDGEGW_LISTENERS as "api".
// Owner: everything here (acceptor, connections) runs on the pool's main io_context; the
// handlers only call thread-safe broker methods.
#pragma once
#include <memory>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/core/broker_core.hpp"
#include "gateway/net/io_pool.hpp"
#include "gateway/net/service.hpp"
#include "gateway/net/tcp_listener.hpp"

namespace edgegw::http_api {

// nullptr when api.enable is false. `services` is the app's list (which this service
// joins); it must outlive the service and be complete before start().
std::unique_ptr<net::service> make_service(
    const config::values& cfg, net::io_pool& pool, core::broker_core& broker,
    const std::vector<std::shared_ptr<net::tcp_listener>>& listeners,
    const std::vector<std::unique_ptr<net::service>>& services);

}  // namespace edgegw::http_api
