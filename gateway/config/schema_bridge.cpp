// [bridge.NAME]: uplinks to cloud MQTT brokers (SPEC section 9). Rules that need more than
// one key (mqtts without a CA, prefixes making invalid topics) are checked by the bridge
// when it starts (bridge/bridge_settings.cpp), naming the key.
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

namespace {

// "" (bridge not configured yet: the bridge refuses to start) or mqtt[s]://HOST:PORT.
string_view server_rule(string_view v) {
  if (v.empty()) return {};
  string_view rest;
  if (v.substr(0, 7) == "mqtt://") {
    rest = v.substr(7);
  } else if (v.substr(0, 8) == "mqtts://") {
    rest = v.substr(8);
  } else {
    return "must be mqtt://HOST:PORT or mqtts://HOST:PORT";
  }
  auto colon = rest.rfind(':');
  if (colon == string_view::npos || colon == 0 || colon + 1 == rest.size())
    return "must be mqtt://HOST:PORT or mqtts://HOST:PORT (host and port needed)";
  for (char c : rest.substr(colon + 1)) {
    if (c < '0' || c > '9') return "port must be a number";
  }
  if (rest.substr(colon + 1).size() > 5) return "port out of range";
  for (char c : rest.substr(0, colon)) {
    if (c == '/' || c == ' ' || c == '@' || c == '?' || c == '#')
      return "host must be a name or an address, without path or user";
  }
  return {};
}

// Comma-separated MQTT topic filters: '+' alone in its level, '#' alone and last. (The
// bridge checks UTF-8 and the prefixes when it starts.)
string_view filters_rule(string_view v) {
  auto trim = [](string_view t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    return t;
  };
  if (trim(v).empty()) return {};
  while (true) {
    auto comma = v.find(',');
    string_view f = trim(v.substr(0, comma));
    if (f.empty()) return "empty topic filter in the list";
    for (std::size_t i = 0; i < f.size(); ++i) {
      char c = f[i];
      if (static_cast<unsigned char>(c) < 0x20) return "control character in a topic filter";
      bool level_start = i == 0 || f[i - 1] == '/';
      bool level_end = i + 1 == f.size() || f[i + 1] == '/';
      if (c == '+' && !(level_start && level_end)) return "'+' must stand alone in its level";
      if (c == '#' && !(level_start && i + 1 == f.size()))
        return "'#' must stand alone in the last level";
    }
    if (comma == string_view::npos) return {};
    v.remove_prefix(comma + 1);
  }
}

}  // namespace

void add_bridge_keys(std::vector<key_spec>& r) {
  const string_view s = "bridge.*";
  r.push_back(boolean(s, "enable", "true", "Run this bridge."));
  key_spec server =
      text(s, "server", "", "mqtt://HOST:PORT or mqtts://HOST:PORT of the remote broker.");
  server.check = server_rule;
  r.push_back(server);
  r.push_back(text(s, "clientid", "",
                   "Client id at the remote broker; may use ${node.name} and ${serial}; "
                   "empty = <node.name>-bridge-<NAME>."));
  r.push_back(text(s, "username", "", "Username at the remote broker; empty = none."));
  r.push_back(text(s, "password", "", "Password at the remote broker; empty = none."));
  r.push_back(integer(s, "proto_ver", "4", 4, 5, "MQTT version to the remote: 4 (3.1.1) or 5."));
  r.push_back(duration(s, "keepalive", "60s", 1s, 0, 65535 * second,
                       "Keep alive towards the remote broker; 0 = none."));
  r.push_back(duration(s, "connect_timeout", "30s", 1s, second, 10 * minute,
                       "Give up a connection attempt (TCP, TLS, CONNACK) after this long."));
  r.push_back(boolean(s, "clean_start", "true",
                      "Start a new remote session on every connect; false keeps the remote "
                      "session (and its subscriptions' queued messages) across reconnects."));
  r.push_back(duration(s, "session_expiry", "2h", 1s, 0, uint32_seconds,
                       "MQTT 5 with clean_start = false: how long the remote broker keeps the "
                       "session after a disconnect."));
  key_spec forward = text(s, "forward", "",
                          "Local topic filters (comma-separated) whose messages are sent to the "
                          "remote broker.");
  forward.check = filters_rule;
  r.push_back(forward);
  r.push_back(text(s, "remote_prefix", "",
                   "Prepended to the topic of every forwarded message; may use ${node.name}."));
  key_spec subscribe = text(s, "subscribe", "",
                            "Remote topic filters (comma-separated) whose messages are published "
                            "locally.");
  subscribe.check = filters_rule;
  r.push_back(subscribe);
  r.push_back(text(s, "local_prefix", "",
                   "Prepended to the topic of every message received from the remote broker."));
  r.push_back(integer(s, "qos", "1", 0, 2,
                      "QoS of forwarded messages and of the remote subscriptions. With 1 or 2 a "
                      "message leaves the spool when the remote broker acknowledged it."));
  r.push_back(choice(s, "retain", "keep", "keep|clear",
                     "keep: forward the retain flag in both directions; clear: never set it."));
  r.push_back(duration(s, "reconnect_min", "1s", 1s, 10, hour,
                       "First wait before reconnecting; doubles on each failure (with jitter)."));
  r.push_back(duration(s, "reconnect_max", "1m", 1s, 10, day, "Longest wait between reconnects."));
  r.push_back(integer(s, "max_inflight", "32", 1, 65535,
                      "Most forwarded QoS 1/2 messages awaiting the remote's acknowledgement "
                      "(also bounded by the remote's MQTT 5 Receive Maximum)."));
  r.push_back(size(s, "spool_max_bytes", "256MB", 64 * kib, std::int64_t{1} << 50,
                   "Largest size of the spool of unacknowledged messages on disk."));
  r.push_back(integer(s, "spool_max_messages", "1000000", 1, std::int64_t{1} << 40,
                      "Most unacknowledged messages in the spool."));
  r.push_back(choice(s, "spool_overflow", "drop_oldest", "drop_oldest|drop_newest",
                     "When the spool is full: drop its oldest message or refuse the new one."));
  r.push_back(file(s, "cacertfile", "", "CA certificates (PEM) that verify the remote broker."));
  r.push_back(file(s, "certfile", "", "Client certificate (PEM) presented to the remote broker."));
  r.push_back(file(s, "keyfile", "", "Private key (PEM) of certfile."));
  r.push_back(boolean(s, "verify", "true",
                      "Verify the remote broker's certificate and host name (mqtts)."));
}

}  // namespace edgegw::config::detail
