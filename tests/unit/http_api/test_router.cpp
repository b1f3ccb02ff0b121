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
  conn connect(const std::string& id, uint32_t expiry = 0) {
    credentials c;
    c.protocol = "mqtt";
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

}  // namespace
