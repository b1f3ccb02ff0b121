// The management API's router driven directly (no HTTP) over a real broker_core with fake
// sinks and a recording store: what the scenario tests cannot easily reach (kicking an
// offline persistent session, the store being told, paging arithmetic, a router exception
// path for a body of the wrong shape).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_store.hpp"
#include "gateway/core/broker_core.hpp"
#include "gateway/http_api/api_context.hpp"
#include "gateway/http_api/detail/handlers.hpp"
#include "gateway/net/gateway_status.hpp"
#include "gateway/net/status_source.hpp"

using namespace edgegw;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct fake_sink : delivery_sink {
  std::vector<close_reason> closed;
  void on_ready() override {}
  void on_close(close_reason r) override { closed.push_back(r); }
};

struct router_test : ::testing::Test {
  boost::asio::io_context io;
  test::fake_store store;
  std::unique_ptr<core::broker_core> broker = std::make_unique<core::broker_core>(
      [] {
        core::core_settings s;
        s.sys_interval = 0ms;
        return s;
      }(),
      io.get_executor(), store);
  std::vector<std::unique_ptr<net::service>> services;
  http_api::api_context ctx{*broker, {}, services, {"mqttsn"}, "edgegw@t", "1.2.3"};

  struct conn {
    client_info client;
    std::shared_ptr<fake_sink> sink = std::make_shared<fake_sink>();
    session_ptr session;
  };
  conn connect(const std::string& id, uint32_t expiry = 0, const std::string& protocol = "mqtt") {
    credentials c;
    c.protocol = protocol;
    c.protocol_version = 5;
    c.client_id = id;
    c.peer = "127.0.0.1:5000";
    conn r;
    r.client = broker->authenticate(c).value();
    session_options o;
    o.clean_start = true;
    o.expiry_interval = expiry;
    r.session = broker->open_session(r.client, o, r.sink).value().session;
    return r;
  }
  std::pair<unsigned, json> call(std::string_view method, std::string_view target,
                                 std::string_view body = {}) {
    auto r = http_api::handle(ctx, {method, target, body});
    return {r.status, r.body.empty() ? json() : json::parse(r.body)};
  }
};

TEST_F(router_test, PagingArithmetic) {
  std::vector<conn> cs;
  for (int i = 0; i < 7; ++i) cs.push_back(connect("c" + std::to_string(i)));
  auto [s1, p3] = call("GET", "/api/v5/clients?limit=3&page=3");
  EXPECT_EQ(s1, 200u);
  EXPECT_EQ(p3["data"].size(), 1u);
  EXPECT_EQ(p3["data"][0]["clientid"], "c6");
  EXPECT_EQ(p3["meta"], json({{"page", 3}, {"limit", 3}, {"count", 7}, {"hasnext", false}}));
  auto [s2, p2] = call("GET", "/api/v5/clients?limit=3&page=2");
  EXPECT_TRUE(p2["meta"]["hasnext"]);
  auto [s3, far] = call("GET", "/api/v5/clients?limit=10000&page=18446744073709551615");
  EXPECT_EQ(s3, 200u);
  EXPECT_TRUE(far["data"].empty());
  EXPECT_FALSE(far["meta"]["hasnext"]);
}

TEST_F(router_test, KickOfflinePersistentSessionErasesItFromTheStore) {
  auto c = connect("keep", 3600);
  broker->close(*c.session, close_reason::connection_lost, false);
  auto [st, j] = call("GET", "/api/v5/clients/keep");
  ASSERT_EQ(st, 200u);
  EXPECT_FALSE(j["connected"]);
  EXPECT_TRUE(j.contains("disconnected_at"));
  store.clear();
  EXPECT_EQ(call("DELETE", "/api/v5/clients/keep").first, 204u);
  EXPECT_TRUE(store.has("erase_session keep"));
  EXPECT_EQ(call("GET", "/api/v5/clients/keep").first, 404u);
  EXPECT_EQ(broker->session_count(), 0u);
}

TEST_F(router_test, KickConnectedClosesTheSinkAsKicked) {
  auto c = connect("k");
  EXPECT_EQ(call("DELETE", "/api/v5/clients/k").first, 204u);
  EXPECT_EQ(c.sink->closed, std::vector<close_reason>{close_reason::kicked});
  EXPECT_EQ(broker->metrics().connections_current.load(), 0);
}

TEST_F(router_test, DeleteRetainedTellsTheStore) {
  auto c = connect("p");
  message m;
  m.topic = "r/1";
  m.payload = "x";
  m.retain = true;
  ASSERT_TRUE(broker->publish(c.client, make_message(std::move(m)), {}));
  store.clear();
  EXPECT_EQ(call("DELETE", "/api/v5/mqtt/retainer/message/r%2F1").first, 204u);
  EXPECT_TRUE(store.has("erase_retained r/1"));
  EXPECT_EQ(broker->retained_count(), 0u);
}

TEST_F(router_test, BanThroughTheApiRefusesAuthenticate) {
  auto [st, j] = call("POST", "/api/v5/banned", R"({"as":"clientid","who":"b"})");
  ASSERT_EQ(st, 200u) << j.dump();
  credentials c;
  c.protocol = "mqttsn";
  c.client_id = "b";
  auto r = broker->authenticate(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), make_error_code(errc::banned));
}

TEST_F(router_test, WrongShapedBodyIsA400NotACrash) {
  EXPECT_EQ(call("POST", "/api/v5/publish", R"({"topic":"t","qos":"one"})").first, 400u);
  EXPECT_EQ(call("POST", "/api/v5/publish", R"({"topic":"t","retain":"yes"})").first, 400u);
  EXPECT_EQ(call("POST", "/api/v5/banned", R"({"as":1,"who":2})").first, 400u);
}

TEST_F(router_test, GatewaysWithoutAReportAreUnloaded) {
  auto [st, j] = call("GET", "/api/v5/gateways");
  ASSERT_EQ(st, 200u);
  EXPECT_EQ(j, json::parse(R"([{"name":"mqttsn","status":"unloaded","current_connections":0}])"));
  EXPECT_EQ(call("GET", "/api/v5/bridges").second, json::array());
}

// A bridge and a gateway as their modules will plug in: a net::service that also
// implements net::status_source.
struct fake_service : net::service, net::status_source {
  net::service_status st;
  void start() override {}
  void stop() override {}
  net::service_status status() const override { return st; }
};

TEST_F(router_test, StatusSourcesAppearInBridgesGatewaysAndPrometheus) {
  auto bridge = std::make_unique<fake_service>();
  bridge->st = {"bridge",
                "cloud",
                "mqtt",
                "connected",
                R"({"spool_messages":12,"last_error":null})",
                {{"spool_messages", 12}}};
  auto gw = std::make_unique<fake_service>();
  gw->st = {"gateway", "mqttsn", "mqttsn", "running", R"({"current_connections":3})", {}};
  services.push_back(std::move(bridge));
  services.push_back(std::move(gw));
  auto [sb, bridges] = call("GET", "/api/v5/bridges");
  EXPECT_EQ(bridges, json::parse(R"([{"name":"cloud","type":"mqtt","status":"connected",
                                      "spool_messages":12,"last_error":null}])"));
  auto [sg, one] = call("GET", "/api/v5/gateways/mqttsn");
  EXPECT_EQ(one["status"], "running");
  EXPECT_EQ(one["current_connections"], 3);
  auto text = http_api::detail::prometheus_text(ctx);
  EXPECT_NE(text.find("edgegw_bridge_up{name=\"cloud\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("edgegw_gateway_up{name=\"mqttsn\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE edgegw_bridge_spool_messages gauge\n"
                      "edgegw_bridge_spool_messages{name=\"cloud\"} 12\n"),
            std::string::npos);
}

TEST_F(router_test, GatewayClientsAreTheBrokersClientsOfThatProtocol) {
  auto m = connect("m1");
  auto a = connect("sn-a", 0, "mqttsn");
  auto b = connect("sn-b", 0, "mqttsn");
  auto st = connect("st", 0, "stomp");
  auto [s1, page] = call("GET", "/api/v5/gateways/mqttsn/clients");
  ASSERT_EQ(s1, 200u);
  ASSERT_EQ(page["data"].size(), 2u);
  EXPECT_EQ(page["data"][0]["clientid"], "sn-a");
  EXPECT_EQ(page["data"][0]["proto_name"], "MQTT-SN");
  EXPECT_EQ(page["meta"]["count"], 2);
  auto [s2, liked] = call("GET", "/api/v5/gateways/mqttsn/clients?like_clientid=-b&limit=1");
  ASSERT_EQ(liked["data"].size(), 1u);
  EXPECT_EQ(liked["data"][0]["clientid"], "sn-b");
  EXPECT_EQ(call("GET", "/api/v5/gateways/mqttsn/clients?page=0").first, 400u);
  // Not a gateway of this build, or a client of another protocol: 404.
  EXPECT_EQ(call("GET", "/api/v5/gateways/nope/clients").first, 404u);
  EXPECT_EQ(call("GET", "/api/v5/gateways/mqttsn/clients/m1").first, 404u);
  EXPECT_EQ(call("DELETE", "/api/v5/gateways/mqttsn/clients/st").first, 404u);
  EXPECT_TRUE(st.sink->closed.empty());
  EXPECT_EQ(call("POST", "/api/v5/gateways/mqttsn/clients").first, 405u);
  auto [s3, one] = call("GET", "/api/v5/gateways/mqttsn/clients/sn-b");
  ASSERT_EQ(s3, 200u);
  EXPECT_EQ(one["clientid"], "sn-b");
  EXPECT_EQ(call("DELETE", "/api/v5/gateways/mqttsn/clients/sn-b").first, 204u);
  EXPECT_EQ(b.sink->closed, std::vector<close_reason>{close_reason::kicked});
  EXPECT_TRUE(a.sink->closed.empty());
  EXPECT_EQ(call("GET", "/api/v5/gateways/mqttsn/clients/sn-b").first, 404u);
}

TEST_F(router_test, GatewayReportInTheApiAndPrometheus) {
  net::gateway_report r;
  r.name = "mqttsn";
  r.running = true;
  r.current_connections = 4;
  r.max_connections = 100;
  r.listeners = {{"udp", "default", "127.0.0.1:1884", true}};
  r.created_at_ms = 1700000000123;
  r.started_at_ms = 1700000001000;
  r.messages_received = 7;
  r.messages_sent = 5;
  r.messages_dropped = 1;
  auto gw = std::make_unique<fake_service>();
  gw->st = net::gateway_status(r);
  services.push_back(std::move(gw));
  ctx.gateways = {"coap", "mqttsn"};
  auto [st, all] = call("GET", "/api/v5/gateways");
  ASSERT_EQ(st, 200u);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0], json::parse(R"({"name":"coap","status":"unloaded","current_connections":0})"));
  const json& j = all[1];
  EXPECT_EQ(j["status"], "running");
  EXPECT_EQ(j["current_connections"], 4);
  EXPECT_EQ(j["max_connections"], 100);
  EXPECT_EQ(j["created_at"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(j["started_at"], "2023-11-14T22:13:21.000Z");
  EXPECT_EQ(j["listeners"], json::parse(R"([{"id":"mqttsn:udp:default","type":"udp",
      "name":"default","bind":"127.0.0.1:1884","running":true}])"));
  EXPECT_EQ(j["messages_received"], 7);
  auto text = http_api::detail::prometheus_text(ctx);
  EXPECT_NE(text.find("# TYPE edgegw_gateway_messages_received_total counter\n"
                      "edgegw_gateway_messages_received_total{name=\"mqttsn\"} 7\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE edgegw_gateway_current_connections gauge\n"
                      "edgegw_gateway_current_connections{name=\"mqttsn\"} 4\n"),
            std::string::npos);
  auto sys = net::gateway_sys_values(net::gateway_status(r));
  EXPECT_EQ(sys, (std::vector<std::pair<std::string, std::string>>{{"clients/count", "4"},
                                                                   {"clients/max", "100"},
                                                                   {"messages/received", "7"},
                                                                   {"messages/sent", "5"},
                                                                   {"messages/dropped", "1"},
                                                                   {"status", "running"}}));
  r.running = false;
  r.started_at_ms = 0;
  auto stopped = json::parse(net::gateway_status(r).details_json);
  EXPECT_TRUE(stopped["started_at"].is_null());
  EXPECT_EQ(net::gateway_status(r).status, "stopped");
}

}  // namespace
