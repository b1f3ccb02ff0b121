// What the management API's handlers read and act on, and the request/response types of
// the router (no I/O here: api_service does the HTTP, the router only maps a request to a
// response, so it can be driven directly in tests).
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/broker_core.hpp"
#include "gateway/net/service.hpp"
#include "gateway/net/tcp_listener.hpp"

namespace edgegw::http_api {

struct listener_info {
  std::shared_ptr<net::tcp_listener> listener;  // name() is "tcp:default", "ws:default"
  std::size_t max_connections = 0;
};

struct api_context {
  core::broker_core& broker;
  std::vector<listener_info> listeners;
  // The app's services (gateways, bridges, this API): those that implement
  // net::status_source are listed in /gateways and /bridges. Filled before start().
  const std::vector<std::unique_ptr<net::service>>& services;
  // Every gateway this build has a configuration section for ("mqttsn", "coap", ...),
  // enabled or not: shown as "unloaded" unless a service reports on it.
  std::vector<std::string> gateways;
  std::string node;  // "edgegw@<node.name>", as EMQX names nodes
  std::string version;
};

struct api_request {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;  // "/api/v5/clients?page=2"
  std::string_view body;
};

struct api_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// Route one authenticated request.
api_response handle(api_context& ctx, const api_request& req);

}  // namespace edgegw::http_api
