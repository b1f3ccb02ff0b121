// Settings of the core broker, filled by the app from config sections [node], [mqtt],
// [limits], [auth]. Plain values so unit tests build them directly.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "gateway/api/broker.hpp"

namespace edgegw::core {

enum class overflow_policy : uint8_t { drop_oldest, drop_newest };
enum class share_strategy : uint8_t { round_robin, random, hash_clientid };

struct core_settings {
  std::string node_name = "edgegw";
  std::string version = "0.0.0";
  broker_limits limits;
  std::size_t max_connections = 100000;  // attached sessions, all protocols
  std::size_t max_mqueue_len = 1000;     // per session: queued, not yet inflight
  std::size_t max_qos0_backlog = 1000;   // connected session: QoS 0 not yet written
  bool mqueue_store_qos0 = true;         // queue QoS 0 for offline sessions
  overflow_policy mqueue_overflow = overflow_policy::drop_oldest;
  share_strategy shared_strategy = share_strategy::round_robin;
  std::size_t retained_max_messages = 0;  // 0 = unlimited
  std::size_t retained_max_payload = 1024 * 1024;
  std::size_t delayed_max_messages = 10000;
  bool upgrade_qos = false;  // deliver at the subscription's QoS
  bool allow_empty_clientid = true;
  bool allow_anonymous = true;
  std::chrono::milliseconds sys_interval{60000};  // 0 disables $SYS statistics
  std::chrono::milliseconds await_rel_timeout{300000};
  // Longest a QoS 1/2 publisher is held for one slow subscriber (0 = never hold).
  std::chrono::milliseconds flow_control_timeout{1000};
  // [limits]: flapping detection (more than flapping_max_count connects of one client id
  // within flapping_window bans it for flapping_ban_time) and per-client publish rates
  // (per second; 0 = unlimited).
  bool flapping_detect = false;
  uint32_t flapping_max_count = 15;
  std::chrono::milliseconds flapping_window{60000};
  std::chrono::milliseconds flapping_ban_time{300000};
  double max_message_rate = 0;
  double max_byte_rate = 0;
};

}  // namespace edgegw::core
