// [api]: the HTTP management API, Prometheus metrics and dashboard (SPEC section 10).
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_api_keys(std::vector<key_spec>& r) {
  const string_view s = "api";
  r.push_back(boolean(s, "enable", "true", "Serve the management API, metrics and dashboard."));
  r.push_back(address(s, "bind", "127.0.0.1:18083",
                      "TCP address and port; keep it on loopback unless the network is trusted."));
  r.push_back(non_empty(text(s, "username", "admin", "Basic authentication user name.")));
  r.push_back(non_empty(
      text(s, "password", "public", "Basic authentication password (EMQX's default: change it).")));
  r.push_back(integer(s, "max_connections", "64", 1, 100000,
                      "Concurrent HTTP connections; more are refused at once."));
  r.push_back(size(s, "max_body_size", "1MB", 1 * kib, 64 * mib,
                   "Largest request body (POST /api/v5/publish/bulk)."));
  r.push_back(duration(s, "idle_timeout", "30s", 1s, 1 * second, 1 * hour,
                       "An HTTP connection idle this long is closed."));
}

}  // namespace edgegw::config::detail
