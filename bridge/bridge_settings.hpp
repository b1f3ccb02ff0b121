// One [bridge.NAME] section, read and checked: every rule that spans keys (mqtts needs a
// CA while verify is on, prefixes must keep topics valid, ...) is checked here, and a
// violation throws std::runtime_error naming the key and where it was set.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace edgegw::config {
class values;
}

namespace edgegw::bridge {

struct bridge_settings {
  std::string name;
  std::string server;      // as configured: mqtt://HOST:PORT or mqtts://HOST:PORT
  std::string server_uri;  // as paho wants it: tcp://HOST:PORT or ssl://HOST:PORT
  bool tls = false;
  std::string clientid;
  std::string username;  // empty: none
  std::string password;  // empty: none
  int proto_ver = 4;
  std::chrono::seconds keepalive{60};
  std::chrono::milliseconds connect_timeout{30000};
  bool clean_start = true;
  uint32_t session_expiry = 0;  // seconds, MQTT 5 only
  std::vector<std::string> forward;
  std::string remote_prefix;
  std::vector<std::string> subscribe;
  std::string local_prefix;
  uint8_t qos = 1;
  bool keep_retain = true;
  std::chrono::milliseconds reconnect_min{1000};
  std::chrono::milliseconds reconnect_max{60000};
  uint16_t max_inflight = 32;
  // Spool: node.data_dir/bridge/NAME, synced as [persistence] says.
  std::filesystem::path spool_dir;
  uint64_t spool_max_bytes = 256ull << 20;
  uint64_t spool_max_messages = 1'000'000;
  bool spool_drop_newest = false;
  std::string spool_sync = "normal";  // off|normal|full
  std::chrono::milliseconds spool_flush_interval{50};
  std::string cacertfile, certfile, keyfile;
  bool verify = true;
};

// The enabled bridges of `cfg`, checked. Throws std::runtime_error with one line
// "bridge.NAME.KEY (FILE:LINE): reason" for the first problem.
std::vector<bridge_settings> bridge_settings_from(const config::values& cfg);

}  // namespace edgegw::bridge
