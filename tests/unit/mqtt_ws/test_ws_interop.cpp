// Real MQTT-over-WebSocket clients against the listener, as child processes: paho-mqtt
// (Debian's python3-paho-mqtt) and, when installed, MQTT.js. Skipped when the client
// library is absent; a failure prints the client's own reason.
#include "ws_fixture.hpp"

#include <unistd.h>

namespace edgegw::test {
namespace {

using ws_interop = ws_bench;

const std::string clients_dir = EDGEGW_WS_CLIENTS_DIR;

bool usable(ws_bench& b, const std::vector<std::string>& probe) {
  return ::access(probe[0].c_str(), X_OK) == 0 && b.run_child(probe, 20s) == 0;
}

TEST_F(ws_interop, paho_python_v311_and_v5) {
  if (!usable(*this, {"/usr/bin/python3", "-c", "import paho.mqtt.client"}))
    GTEST_SKIP() << "/usr/bin/python3 with paho-mqtt not available";
  for (std::string ver : {"311", "5"}) {
    EXPECT_EQ(run_child({"/usr/bin/python3", clients_dir + "/paho_ws_roundtrip.py",
                         std::to_string(port()), path, ver}),
              0)
        << "paho MQTT " << ver;
  }
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

TEST_F(ws_interop, mqttjs_v3_v4_and_v5) {
  if (!usable(*this, {"/usr/bin/node", "-e", "require('mqtt')"}))
    GTEST_SKIP() << "node with the mqtt package (NODE_PATH) not available";
  for (std::string ver : {"3", "4", "5"}) {
    EXPECT_EQ(run_child({"/usr/bin/node", clients_dir + "/mqttjs_ws_roundtrip.js",
                         std::to_string(port()), path, ver}),
              0)
        << "MQTT.js protocol " << ver;
  }
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

TEST_F(ws_interop, paho_on_a_custom_path) {
  if (!usable(*this, {"/usr/bin/python3", "-c", "import paho.mqtt.client"}))
    GTEST_SKIP() << "/usr/bin/python3 with paho-mqtt not available";
  path = "/gw/ws";
  EXPECT_EQ(run_child({"/usr/bin/python3", clients_dir + "/paho_ws_roundtrip.py",
                       std::to_string(port()), "/gw/ws", "311"}),
            0);
  EXPECT_NE(run_child({"/usr/bin/python3", clients_dir + "/paho_ws_roundtrip.py",
                       std::to_string(port()), "/mqtt", "311"},
                      40s),
            0);
}

}  // namespace
}  // namespace edgegw::test
