// See settings_from_config.hpp.
#include "settings_from_config.hpp"

#include <algorithm>
#include <limits>

namespace edgegw::app {

namespace {
uint32_t seconds_capped(std::chrono::milliseconds d) {
  if (d == std::chrono::milliseconds::max()) return session_never_expires;
  auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  return static_cast<uint32_t>(std::clamp<int64_t>(s, 0, session_never_expires));
}
template <class T>
T clamp_to(int64_t v) {
  return static_cast<T>(
      std::clamp<int64_t>(v, std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
}
}  // namespace

core::core_settings core_settings_from(const config::values& c) {
  core::core_settings s;
  s.node_name = c.get_string("node.name");
  auto& l = s.limits;
  l.max_packet_size = static_cast<uint32_t>(c.get_size("mqtt.max_packet_size"));
  l.max_clientid_len = static_cast<std::size_t>(c.get_int("mqtt.max_clientid_len"));
  l.topics.max_length = static_cast<std::size_t>(c.get_int("mqtt.max_topic_length"));
  l.topics.max_levels = static_cast<std::size_t>(c.get_int("mqtt.max_topic_levels"));
  l.receive_maximum = clamp_to<uint16_t>(c.get_int("mqtt.max_inflight"));
  l.max_awaiting_rel = clamp_to<uint16_t>(c.get_int("mqtt.max_awaiting_rel"));
  l.max_keepalive = static_cast<uint32_t>(c.get_int("mqtt.max_keepalive"));
  l.max_session_expiry = seconds_capped(c.get_duration("mqtt.max_session_expiry"));
  l.max_qos = clamp_to<uint8_t>(c.get_int("mqtt.max_qos_allowed"));
  l.retain_available = c.get_bool("mqtt.retain_available");
  l.wildcard_subscription_available = c.get_bool("mqtt.wildcard_subscription");
  l.shared_subscription_available = c.get_bool("mqtt.shared_subscription");
  l.subscription_identifiers_available = c.get_bool("mqtt.subscription_identifiers");
  l.topic_alias_maximum = clamp_to<uint16_t>(c.get_int("mqtt.max_topic_alias"));
  l.max_subscriptions = static_cast<std::size_t>(c.get_int("mqtt.max_subscriptions"));
  s.max_connections = static_cast<std::size_t>(c.get_int("limits.max_connections"));
  s.max_mqueue_len = static_cast<std::size_t>(c.get_int("mqtt.max_mqueue_len"));
  s.max_qos0_backlog = static_cast<std::size_t>(c.get_int("mqtt.max_qos0_backlog"));
  s.mqueue_store_qos0 = c.get_bool("mqtt.mqueue_store_qos0");
  s.mqueue_overflow = c.get_string("mqtt.mqueue_overflow") == "drop_newest"
                          ? core::overflow_policy::drop_newest
                          : core::overflow_policy::drop_oldest;
  const auto& strat = c.get_string("mqtt.shared_subscription_strategy");
  s.shared_strategy = strat == "random"          ? core::share_strategy::random
                      : strat == "hash_clientid" ? core::share_strategy::hash_clientid
                                                 : core::share_strategy::round_robin;
  s.retained_max_messages = static_cast<std::size_t>(c.get_int("mqtt.retained_max_messages"));
  s.retained_max_payload = static_cast<std::size_t>(c.get_size("mqtt.retained_max_payload"));
  s.delayed_max_messages = static_cast<std::size_t>(c.get_int("mqtt.delayed_max_messages"));
  s.upgrade_qos = c.get_bool("mqtt.upgrade_qos");
  s.allow_empty_clientid = c.get_bool("mqtt.allow_empty_clientid");
  s.allow_anonymous = c.get_bool("auth.allow_anonymous");
  s.sys_interval = c.get_duration("node.sys_interval");
  s.await_rel_timeout = c.get_duration("mqtt.await_rel_timeout");
  s.flow_control_timeout = c.get_duration("mqtt.flow_control_timeout");
  s.flapping_detect = c.get_bool("limits.flapping_detect");
  s.flapping_max_count = static_cast<uint32_t>(c.get_int("limits.flapping_max_count"));
  s.flapping_window = c.get_duration("limits.flapping_window");
  s.flapping_ban_time = c.get_duration("limits.flapping_ban_time");
  s.max_message_rate = c.get_double("limits.max_message_rate");
  s.max_byte_rate = static_cast<double>(c.get_size("limits.max_byte_rate"));
  return s;
}

store::store_options store_options_from(const config::values& c) {
  store::store_options o;
  o.path = (c.get_path("node.data_dir") / "broker.db").string();
  const auto& sync = c.get_string("persistence.sync");
  o.sync = sync == "off"    ? store::sync_mode::off
           : sync == "full" ? store::sync_mode::full
                            : store::sync_mode::normal;
  o.flush_interval_ms = static_cast<uint32_t>(c.get_duration("persistence.flush_interval").count());
  return o;
}

mqtt::settings mqtt_settings_from(const config::values& c, const core::core_settings& core,
                                  const std::string& kind, const std::string& name) {
  auto s = mqtt::settings::from_limits(core.limits);
  std::string p = "listener." + kind + "." + name + ".";
  s.listener = kind + ":" + name;
  s.mountpoint = c.get_string(p + "mountpoint");
  if (kind == "tcp") s.tcp_nodelay = c.get_bool(p + "tcp_nodelay");
  s.idle_timeout = c.get_duration("mqtt.idle_timeout");
  s.keepalive_multiplier = c.get_double("mqtt.keepalive_multiplier");
  s.server_keepalive = clamp_to<uint16_t>(c.get_int("mqtt.server_keepalive"));
  s.max_keepalive = clamp_to<uint16_t>(c.get_int("mqtt.max_keepalive"));
  s.max_inflight = core.limits.receive_maximum;
  s.max_outbound_inflight = core.limits.receive_maximum;
  s.retry_interval = c.get_duration("mqtt.retry_interval");
  s.session_expiry_interval = seconds_capped(c.get_duration("mqtt.session_expiry_interval"));
  s.allow_empty_clientid = core.allow_empty_clientid;
  return s;
}

}  // namespace edgegw::app
