#include <gtest/gtest.h>

#include "bridge/bridge_settings.hpp"
#include "gateway/config/config.hpp"

using namespace edgegw;

namespace {

// Error text of bridge_settings_from for an ini, "" when accepted.
std::string error_of(const std::string& ini) {
  auto loaded = config::load_text(ini, "t.ini");
  if (!loaded.problems.empty()) return "config: " + loaded.problems[0].str();
  try {
    bridge::bridge_settings_from(*loaded.config);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(bridge_settings, defaults_and_derived_values) {
  auto loaded = config::load_text(
      "[node]\nname = gw7\ndata_dir = /tmp/x\n[bridge.cloud]\nserver = mqtt://127.0.0.1:1883\n"
      "forward = a/#, b\nremote_prefix = ${node.name}/\n",
      "t.ini");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems[0].str();
  auto all = bridge::bridge_settings_from(*loaded.config);
  ASSERT_EQ(all.size(), 1u);
  const auto& b = all[0];
  EXPECT_EQ(b.server_uri, "tcp://127.0.0.1:1883");
  EXPECT_FALSE(b.tls);
  EXPECT_EQ(b.clientid, "gw7-bridge-cloud");
  EXPECT_EQ(b.remote_prefix, "gw7/");
  EXPECT_EQ(b.forward, (std::vector<std::string>{"a/#", "b"}));
  EXPECT_EQ(b.qos, 1);
  EXPECT_TRUE(b.keep_retain);
  EXPECT_TRUE(b.verify);
  EXPECT_EQ(b.spool_dir, std::filesystem::path("/tmp/x/bridge/cloud"));
}

TEST(bridge_settings, disabled_bridges_are_skipped) {
  auto loaded = config::load_text("[bridge.a]\nenable = false\n", "t.ini");
  ASSERT_TRUE(loaded.problems.empty());
  EXPECT_TRUE(bridge::bridge_settings_from(*loaded.config).empty());
}

TEST(bridge_settings, bad_combinations_name_the_key) {
  const std::string s = "[bridge.c]\nserver = mqtt://h:1\n";
  EXPECT_NE(error_of("[bridge.c]\nforward = a\n").find("bridge.c.server"), std::string::npos);
  EXPECT_NE(error_of(s + "forward = a/#/b\n").find("t.ini:3"), std::string::npos);
  EXPECT_NE(error_of(s + "forward = a/#/b\n").find("bridge.c.forward"), std::string::npos);
  EXPECT_NE(error_of(s + "forward = \xff\n").find("bridge.c.forward (t.ini:3)"), std::string::npos);
  EXPECT_NE(error_of(s + "forward = +/x\nremote_prefix = up\n").find("bridge.c.remote_prefix"),
            std::string::npos);
  EXPECT_NE(error_of(s + "remote_prefix = a/#/\n").find("bridge.c.remote_prefix"),
            std::string::npos);
  EXPECT_NE(error_of(s + "subscribe = a/#/b\n").find("bridge.c.subscribe"), std::string::npos);
  EXPECT_NE(error_of(s + "subscribe = a, ,b\n").find("bridge.c.subscribe"), std::string::npos);
  EXPECT_NE(error_of(s + "reconnect_min = 10s\nreconnect_max = 1s\n").find("reconnect_max"),
            std::string::npos);
  EXPECT_NE(error_of(s + "cacertfile = /etc/hostname\n").find("bridge.c.cacertfile"),
            std::string::npos);
  EXPECT_NE(error_of(s + "qos = 2\nclean_start = false\n").find("bridge.c.qos"), std::string::npos);
  EXPECT_EQ(error_of(s + "qos = 2\n"), "");
  const std::string tls = "[bridge.c]\nserver = mqtts://h:8883\n";
  EXPECT_NE(error_of(tls).find("bridge.c.cacertfile"), std::string::npos);
  EXPECT_EQ(error_of(tls + "verify = false\n"), "");
  EXPECT_NE(error_of(tls + "cacertfile = /nonexistent/ca.pem\n").find("cannot read"),
            std::string::npos);
  EXPECT_NE(error_of(tls + "verify = false\ncertfile = /etc/hostname\n").find("bridge.c.keyfile"),
            std::string::npos);
  EXPECT_EQ(error_of(s + "forward = a/#\nremote_prefix = up/\n"), "");
}

TEST(bridge_settings, server_url_checked_by_the_schema) {
  for (const char* bad : {"http://h:1", "mqtt://h", "mqtt://:1", "mqtt://h:x", "mqtt://u@h:1"}) {
    auto loaded = config::load_text(std::string("[bridge.c]\nserver = ") + bad + "\n", "t.ini");
    EXPECT_FALSE(loaded.problems.empty()) << bad;
  }
}
