// The LwM2M client API routes (gateway_commands.cpp) over a fake gateway_commands service:
// the dn command each query becomes, 400/404/405 answers, and lookup's shapes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_store.hpp"
#include "gateway/core/broker_core.hpp"
#include "gateway/http_api/api_context.hpp"
#include "gateway/http_api/detail/handlers.hpp"
#include "gateway/net/gateway_commands.hpp"

using namespace edgegw;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct fake_gateway : net::service, net::gateway_commands {
  std::vector<std::pair<std::string, json>> sent;
  net::command_outcome next;
  std::map<std::string, std::string> answers;  // "action path" -> JSON
  void start() override {}
  void stop() override {}
  std::string_view commands_gateway() const override { return "lwm2m"; }
  net::command_outcome send_command(std::string_view id, std::string_view cmd) override {
    if (id != "dev1") return {net::command_status::unknown_client, {}};
    sent.emplace_back(std::string(id), json::parse(cmd));
    return next;
  }
  std::optional<std::string> last_answer(std::string_view id, std::string_view action,
                                         std::string_view path, bool* known) const override {
    *known = id == "dev1";
    auto a = answers.find(std::string(action) + " " + std::string(path));
    if (!*known || a == answers.end()) return std::nullopt;
    return a->second;
  }
};

struct gateway_commands_test : ::testing::Test {
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
  fake_gateway* gw = nullptr;
  http_api::api_context ctx{*broker, {}, services, {"lwm2m", "mqttsn"}, "edgegw@t", "1"};

  gateway_commands_test() {
    auto g = std::make_unique<fake_gateway>();
    gw = g.get();
    services.push_back(std::move(g));
  }
  std::pair<unsigned, json> call(std::string_view method, std::string_view target) {
    auto r = http_api::handle(ctx, {method, target, {}});
    return {r.status, r.body.empty() ? json() : json::parse(r.body)};
  }
};

constexpr std::string_view base = "/api/v5/gateways/lwm2m/clients/dev1/";

std::string at(std::string_view rest) {
  return std::string(base) + std::string(rest);
}

TEST_F(gateway_commands_test, ReadWriteObserveBecomeDnCommands) {
  EXPECT_EQ(call("POST", at("read?path=/3/0/0")).first, 204u);
  EXPECT_EQ(call("PUT", at("write?path=/3/0/14&type=String&value=%2B02%3A00")).first, 204u);
  EXPECT_EQ(call("POST", at("observe?path=/3303/0/5700&enable=true")).first, 204u);
  EXPECT_EQ(call("POST", at("observe?path=/3303/0/5700&enable=false")).first, 204u);
  ASSERT_EQ(gw->sent.size(), 4u);
  EXPECT_EQ(gw->sent[0].second, json::parse(R"({"msgType":"read","data":{"path":"/3/0/0"}})"));
  EXPECT_EQ(
      gw->sent[1].second,
      json::parse(
          R"({"msgType":"write","data":{"path":"/3/0/14","type":"String","value":"+02:00"}})"));
  EXPECT_EQ(gw->sent[2].second["msgType"], "observe");
  EXPECT_EQ(gw->sent[3].second["msgType"], "cancel-observe");
  EXPECT_EQ(gw->sent[3].second["data"]["path"], "/3303/0/5700");
}

TEST_F(gateway_commands_test, BadQueriesAre400AndSendNothing) {
  for (const char* q : {"read", "read?path=", "write?path=/3/0/14&value=1",
                        "write?path=/3/0/14&type=Integr&value=1", "write?path=/3/0/14&type=Integer",
                        "observe?path=/3/0/0", "observe?path=/3/0/0&enable=yes"}) {
    auto [st, j] = call("POST", at(q));
    EXPECT_EQ(st, 400u) << q;
    EXPECT_EQ(j["code"], "BAD_REQUEST") << q;
  }
  EXPECT_TRUE(gw->sent.empty());
  // What only the gateway's parser knows (the path, the value for the type) comes back too.
  gw->next = {net::command_status::invalid, "path segment 'x' is not a number"};
  auto [st, j] = call("POST", at("read?path=/x"));
  EXPECT_EQ(st, 400u);
  EXPECT_EQ(j["message"], "path segment 'x' is not a number");
}

TEST_F(gateway_commands_test, UnknownClientGatewayAndMethod) {
  EXPECT_EQ(call("POST", "/api/v5/gateways/lwm2m/clients/nobody/read?path=/3/0/0").first, 404u);
  EXPECT_EQ(call("GET", "/api/v5/gateways/lwm2m/clients/nobody/lookup?path=/3/0&action=read")
                .second["code"],
            "CLIENT_NOT_FOUND");
  // A gateway without a command hook (or not running) has no such routes.
  EXPECT_EQ(call("POST", "/api/v5/gateways/mqttsn/clients/dev1/read?path=/3/0/0").first, 404u);
  EXPECT_EQ(call("GET", at("read?path=/3/0/0")).first, 405u);
  EXPECT_EQ(call("POST", at("lookup?path=/3/0&action=read")).first, 405u);
  // Not one of EMQX's LwM2M operations: only GET is served under /gateways then.
  EXPECT_EQ(call("POST", at("execute?path=/3/0/4")).first, 405u);
  EXPECT_TRUE(gw->sent.empty());
}

TEST_F(gateway_commands_test, LookupAnswersAsEmqx) {
  EXPECT_EQ(call("GET", at("lookup?path=/3/0")).first, 400u);
  auto [s1, none] = call("GET", at("lookup?path=/3/0/0&action=read"));
  EXPECT_EQ(s1, 200u);
  EXPECT_EQ(none, json::parse(R"({"clientid":"dev1","path":"/3/0/0","action":"read",
                                  "code":"6.01","codeMsg":"reply_not_received"})"));
  gw->answers["read /3/0/0"] =
      R"({"code":"2.05","codeMsg":"content","content":[{"path":"/3/0/0","value":"ACME"}]})";
  auto [s2, got] = call("GET", at("lookup?path=/3/0/0&action=read"));
  EXPECT_EQ(s2, 200u);
  EXPECT_EQ(got["code"], "2.05");
  EXPECT_EQ(got["clientid"], "dev1");
  EXPECT_EQ(got["content"][0]["value"], "ACME");
}

}  // namespace
