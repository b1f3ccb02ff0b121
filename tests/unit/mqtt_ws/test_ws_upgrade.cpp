// check_ws_upgrade / pick_ws_subprotocol: the listener's decision on a request, without
// sockets (path, plain HTTP, subprotocol negotiation as EMQX does it).
#include <gtest/gtest.h>

#include "protocols/mqtt/ws/ws_upgrade.hpp"

namespace edgegw::test {
namespace {

namespace http = boost::beast::http;

http::request_header<> upgrade(std::string target, std::vector<std::string> protocols = {}) {
  http::request_header<> r;
  r.method(http::verb::get);
  r.target(target);
  r.version(11);
  r.set(http::field::host, "gw");
  r.set(http::field::upgrade, "websocket");
  r.set(http::field::connection, "Upgrade");
  for (auto& p : protocols) r.insert(http::field::sec_websocket_protocol, p);
  return r;
}

TEST(ws_upgrade, accepts_the_path_with_the_offered_mqtt_subprotocol) {
  auto d = mqtt::check_ws_upgrade(upgrade("/mqtt", {"mqtt"}), "/mqtt");
  EXPECT_EQ(d.status, http::status::switching_protocols);
  EXPECT_EQ(d.subprotocol, "mqtt");
}

TEST(ws_upgrade, ignores_the_query_string) {
  auto d = mqtt::check_ws_upgrade(upgrade("/mqtt?token=abc", {"mqtt"}), "/mqtt");
  EXPECT_EQ(d.status, http::status::switching_protocols);
}

TEST(ws_upgrade, other_paths_are_not_found) {
  for (std::string t : {"/", "/mqt", "/mqtt/", "/MQTT", "/mqtt/x", "mqtt", "*"}) {
    EXPECT_EQ(mqtt::check_ws_upgrade(upgrade(t, {"mqtt"}), "/mqtt").status, http::status::not_found)
        << t;
  }
  EXPECT_EQ(mqtt::check_ws_upgrade(upgrade("/ws", {"mqtt"}), "/ws").status,
            http::status::switching_protocols);
}

TEST(ws_upgrade, plain_http_gets_upgrade_required) {
  auto r = upgrade("/mqtt", {"mqtt"});
  r.erase(http::field::upgrade);
  EXPECT_EQ(mqtt::check_ws_upgrade(r, "/mqtt").status, http::status::upgrade_required);
  r.set(http::field::upgrade, "h2c");
  EXPECT_EQ(mqtt::check_ws_upgrade(r, "/mqtt").status, http::status::upgrade_required);
  // Token match is case-insensitive (RFC 6455 4.2.1).
  r.set(http::field::upgrade, "WebSocket");
  EXPECT_EQ(mqtt::check_ws_upgrade(r, "/mqtt").status, http::status::switching_protocols);
}

TEST(ws_upgrade, the_path_is_checked_before_the_upgrade) {
  auto r = upgrade("/other");
  r.erase(http::field::upgrade);
  EXPECT_EQ(mqtt::check_ws_upgrade(r, "/mqtt").status, http::status::not_found);
}

TEST(ws_upgrade, no_subprotocol_offered_is_accepted_without_one) {
  auto d = mqtt::check_ws_upgrade(upgrade("/mqtt"), "/mqtt");
  EXPECT_EQ(d.status, http::status::switching_protocols);
  EXPECT_EQ(d.subprotocol, "");
}

TEST(ws_upgrade, only_unsupported_subprotocols_is_a_bad_request) {
  auto d = mqtt::check_ws_upgrade(upgrade("/mqtt", {"chat, superchat"}), "/mqtt");
  EXPECT_EQ(d.status, http::status::bad_request);
  // Subprotocol names are case-sensitive tokens.
  EXPECT_EQ(mqtt::check_ws_upgrade(upgrade("/mqtt", {"MQTT"}), "/mqtt").status,
            http::status::bad_request);
}

TEST(ws_upgrade, every_supported_name_is_accepted_and_echoed) {
  for (auto name : mqtt::ws_subprotocols) {
    auto d = mqtt::check_ws_upgrade(upgrade("/mqtt", {std::string(name)}), "/mqtt");
    EXPECT_EQ(d.status, http::status::switching_protocols) << name;
    EXPECT_EQ(d.subprotocol, name);
  }
}

TEST(ws_upgrade, the_first_supported_in_the_clients_order_wins) {
  EXPECT_EQ(mqtt::pick_ws_subprotocol(upgrade("/mqtt", {"chat, mqttv3.1 ,mqtt"})).chosen,
            "mqttv3.1");
  EXPECT_EQ(mqtt::pick_ws_subprotocol(upgrade("/mqtt", {"mqtt-v5", "mqtt"})).chosen, "mqtt-v5");
  EXPECT_EQ(mqtt::pick_ws_subprotocol(upgrade("/mqtt", {"chat", "mqtt"})).chosen, "mqtt");
  auto none = mqtt::pick_ws_subprotocol(upgrade("/mqtt"));
  EXPECT_FALSE(none.offered);
  auto other = mqtt::pick_ws_subprotocol(upgrade("/mqtt", {"chat"}));
  EXPECT_TRUE(other.offered);
  EXPECT_EQ(other.chosen, "");
}

}  // namespace
}  // namespace edgegw::test
