// Rules for one upgrade request; see ws_upgrade.hpp.
#include "protocols/mqtt/ws/ws_upgrade.hpp"

#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>

namespace edgegw::mqtt {

namespace http = boost::beast::http;

ws_subprotocol_choice pick_ws_subprotocol(const http::request_header<>& req) {
  ws_subprotocol_choice out;
  auto [first, last] = req.equal_range(http::field::sec_websocket_protocol);
  for (auto it = first; it != last; ++it) {
    for (auto token : http::token_list{it->value()}) {
      out.offered = true;
      const std::string_view t(token.data(), token.size());
      if (std::find(ws_subprotocols.begin(), ws_subprotocols.end(), t) != ws_subprotocols.end()) {
        out.chosen.assign(t);
        return out;
      }
    }
  }
  return out;
}

ws_upgrade_decision check_ws_upgrade(const http::request_header<>& req, std::string_view path) {
  ws_upgrade_decision d;
  std::string_view target(req.target().data(), req.target().size());
  target = target.substr(0, target.find('?'));
  if (target != path) {
    d.status = http::status::not_found;
    d.reason = "unknown path";
    return d;
  }
  // A plain HTTP request (a browser, curl, a health check): tell it what this endpoint
  // speaks. Malformed upgrade requests go on to Beast, which names what is wrong.
  auto up = req.find(http::field::upgrade);
  if (up == req.end() || !http::token_list{up->value()}.exists("websocket")) {
    d.status = http::status::upgrade_required;
    d.reason = "not a websocket upgrade";
    return d;
  }
  auto sub = pick_ws_subprotocol(req);
  if (sub.offered && sub.chosen.empty()) {
    d.status = http::status::bad_request;
    d.reason = "no supported subprotocol";
    return d;
  }
  d.subprotocol = std::move(sub.chosen);
  return d;
}

}  // namespace edgegw::mqtt
