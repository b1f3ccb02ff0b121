// The schema table. Add a key by adding a row here (and to etc/edgegw.ini: a unit test
// checks that the shipped file holds every key at its default, with a comment).
#include "gateway/config/schema.hpp"

#include <array>

#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config {
namespace {

using namespace detail;

string_view url_path_rule(string_view v) {
  return !v.empty() && v.front() == '/' ? string_view{} : string_view{"must start with '/'"};
}

// Keys every listener kind shares, then the TLS ones.
void add_listener(std::vector<key_spec>& rows, string_view section, string_view enable,
                  string_view bind, bool websocket, bool tls) {
  rows.push_back(boolean(section, "enable", enable, "Start this listener."));
  rows.push_back(
      address(section, "bind", bind, "Address and port to listen on; port 0 picks a free one."));
  rows.push_back(integer(section, "max_connections", "100000", 1, unlimited_count,
                         "Most connections this listener accepts at once."));
  rows.push_back(number(section, "max_conn_rate", "0", 0.0, 1e6,
                        "New connections accepted per second; 0 = unlimited. Over it, accepting "
                        "pauses (connections wait in the backlog) rather than refusing."));
  rows.push_back(runtime_template(
      text(section, "mountpoint", "",
           "Prefix added to every topic of its clients; may use ${clientid} and ${username}.")));
  if (websocket) {
    key_spec p = non_empty(text(section, "path", "/mqtt", "HTTP path of the WebSocket endpoint."));
    p.check = url_path_rule;
    rows.push_back(p);
  }
  if (!websocket && !tls) {
    rows.push_back(
        boolean(section, "tcp_nodelay", "true", "Disable Nagle's algorithm on accepted sockets."));
  }
  if (tls) {
    rows.push_back(file(section, "certfile", "", "Server certificate chain (PEM)."));
    rows.push_back(file(section, "keyfile", "", "Private key of certfile (PEM)."));
    rows.push_back(
        file(section, "cacertfile", "", "CA certificates (PEM) that verify client certificates."));
    rows.push_back(
        choice(section, "verify", "none", "none|peer",
               "none: no client certificate check; peer: verify a client certificate if sent."));
    rows.push_back(boolean(section, "fail_if_no_peer_cert", "false",
                           "With verify = peer, reject clients that send no certificate."));
    rows.push_back(text(section, "ciphers", "",
                        "Cipher suites, ':'-separated mbedTLS names "
                        "(TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256); empty = mbedTLS defaults."));
    rows.push_back(choice(section, "tls_min_version", "1.2", "1.0|1.1|1.2",
                          "Oldest TLS version accepted (the newest is 1.2)."));
    rows.push_back(duration(section, "handshake_timeout", "10s", 1s, 100, minute,
                            "Longest a client may take to complete the TLS handshake."));
    rows.push_back(choice(section, "peer_cert_as_username", "none", "none|cn|san|dn",
                          "A verified client certificate's Common Name (cn), first DNS, e-mail "
                          "or URI subjectAltName (san) or subject DN in RFC 4514 form (dn) is "
                          "the username and admits the client without a password (needs "
                          "verify = peer); a certificate without that name is refused."));
    rows.push_back(text(section, "psk_identity", "",
                        "TLS PSK: the one client identity given inline (with psk_key)."));
    rows.push_back(text(section, "psk_key", "",
                        "TLS PSK: the key of psk_identity, as text (mosquitto_pub --psk takes "
                        "it in hex)."));
    rows.push_back(file(section, "psk_file", "",
                        "TLS PSK: a file of identity:hexkey lines, re-read on SIGHUP. With PSK "
                        "keys certfile and keyfile are optional (a PSK-only listener)."));
    rows.push_back(boolean(section, "psk_identity_as_username", "false",
                           "A PSK client's identity is the username and admits it without a "
                           "password."));
  }
}

std::vector<key_spec> build_keys() {
  std::vector<key_spec> r;
  // [node]
  r.push_back(non_empty(text("node", "name", "edgegw",
                             "Name of this gateway: in $SYS topics, the API and ${node.name}.")));
  r.push_back(non_empty(
      file("node", "data_dir", "/var/lib/edgegw",
           "Directory of all durable state: sessions, retained messages, bridge spools.")));
  r.push_back(integer("node", "io_threads", "0", 0, 64, "I/O threads; 0 = one per CPU core."));
  r.push_back(duration("node", "sys_interval", "1m", 1s, 0, day,
                       "Period of $SYS statistics messages; 0 disables them."));
  r.push_back(duration("node", "sys_heartbeat_interval", "30s", 1s, 0, day,
                       "Period of the $SYS uptime/datetime heartbeat; 0 disables it."));
  // [log]
  r.push_back(
      choice("log", "level", "info", "trace|debug|info|warning|error|off", "Lowest level logged."));
  r.push_back(choice("log", "target", "stderr", "stderr|syslog|file",
                     "Where log lines go (syslog also reaches journald)."));
  r.push_back(non_empty(
      file("log", "file", "/var/log/edgegw/edgegw.log", "Log file used when target = file.")));
  // [mqtt]
  r.push_back(
      size("mqtt", "max_packet_size", "1MB", 16, 256 * mib, "Largest packet accepted or sent."));
  r.push_back(integer("mqtt", "max_clientid_len", "65535", 23, 65535,
                      "Longest client id accepted, in bytes."));
  r.push_back(integer("mqtt", "max_topic_length", "65535", 1, 65535,
                      "Longest topic name or filter accepted, in bytes."));
  r.push_back(integer("mqtt", "max_topic_levels", "128", 1, 65535,
                      "Most '/'-separated levels in a topic or filter."));
  r.push_back(integer("mqtt", "max_qos_allowed", "2", 0, 2,
                      "Highest QoS granted to publishers and subscribers."));
  r.push_back(integer("mqtt", "max_topic_alias", "65535", 0, 65535,
                      "Topic aliases a v5 client may use towards us; 0 disables them."));
  r.push_back(boolean("mqtt", "retain_available", "true", "Accept retained messages."));
  r.push_back(boolean("mqtt", "wildcard_subscription", "true", "Allow + and # in subscriptions."));
  r.push_back(boolean("mqtt", "shared_subscription", "true", "Allow $share/GROUP/ subscriptions."));
  r.push_back(
      boolean("mqtt", "subscription_identifiers", "true", "Support v5 subscription identifiers."));
  r.push_back(choice("mqtt", "shared_subscription_strategy", "round_robin",
                     "round_robin|random|hash_clientid",
                     "How a shared subscription picks the member that gets a message."));
  r.push_back(duration("mqtt", "idle_timeout", "15s", 1s, 1, hour,
                       "Time a new connection has to send CONNECT."));
  r.push_back(number("mqtt", "keepalive_multiplier", "1.5", 1.0, 10.0,
                     "A client silent for keepalive x this is disconnected."));
  r.push_back(integer("mqtt", "server_keepalive", "0", 0, 65535,
                      "v5 Server Keep Alive in seconds imposed on clients; 0 = use the client's."));
  r.push_back(integer("mqtt", "max_keepalive", "65535", 1, 65535,
                      "Longest keepalive accepted, in seconds; larger v5 requests are lowered."));
  r.push_back(duration("mqtt", "session_expiry_interval", "2h", 1s, 0, uint32_seconds,
                       "Session expiry of MQTT 3.x clients with clean_session = false."));
  r.push_back(
      with_infinity(duration("mqtt", "max_session_expiry", "infinity", 1s, 0, uint32_seconds,
                             "Cap on the session expiry a client may ask for.")));
  r.push_back(
      integer("mqtt", "max_inflight", "32", 1, 65535,
              "Unacknowledged QoS 1/2 messages sent to a client; also our v5 Receive Maximum."));
  r.push_back(integer("mqtt", "max_awaiting_rel", "100", 1, 65535,
                      "Incoming QoS 2 messages per client awaiting PUBREL."));
  r.push_back(duration("mqtt", "await_rel_timeout", "300s", 1s, second, day,
                       "A QoS 2 message not released within this is dropped."));
  r.push_back(duration("mqtt", "retry_interval", "30s", 1s, second, day,
                       "Resend an unacknowledged QoS 1/2 message after this."));
  r.push_back(duration("mqtt", "flow_control_timeout", "1s", 1s, 0, hour,
                       "Longest a QoS 1/2 publisher is held back for a subscriber whose queue is "
                       "half full; one that does not catch up in time gets the queue's drop "
                       "policy instead. 0 = never hold publishers."));
  r.push_back(integer("mqtt", "max_mqueue_len", "1000", 1, unlimited_count,
                      "Messages queued per session beyond the inflight window."));
  r.push_back(integer("mqtt", "max_qos0_backlog", "1000", 1, unlimited_count,
                      "QoS 0 messages waiting to be written to a connected client; past it "
                      "mqueue_overflow decides which is dropped (counted)."));
  r.push_back(boolean("mqtt", "mqueue_store_qos0", "true",
                      "Queue QoS 0 messages for offline sessions too."));
  r.push_back(choice("mqtt", "mqueue_overflow", "drop_oldest", "drop_oldest|drop_newest",
                     "Which message a full queue drops."));
  r.push_back(integer("mqtt", "max_subscriptions", "0", 0, unlimited_count,
                      "Subscriptions per session; 0 = unlimited."));
  r.push_back(integer("mqtt", "retained_max_messages", "0", 0, unlimited_count,
                      "Retained messages kept; 0 = unlimited."));
  r.push_back(size("mqtt", "retained_max_payload", "1MB", 0, 256 * mib,
                   "Largest retained payload stored; larger ones are not retained."));
  r.push_back(integer("mqtt", "delayed_max_messages", "10000", 0, unlimited_count,
                      "Pending $delayed messages; 0 disables delayed publish."));
  r.push_back(boolean("mqtt", "upgrade_qos", "false",
                      "Deliver at the subscription's QoS rather than the lower of the two."));
  r.push_back(
      boolean("mqtt", "allow_empty_clientid", "true", "Accept an empty client id and assign one."));
  // [limits]
  r.push_back(integer("limits", "max_connections", "100000", 1, unlimited_count,
                      "Most connections of all listeners and protocols together."));
  r.push_back(boolean("limits", "flapping_detect", "false",
                      "Ban a client id that connects more than flapping_max_count times within "
                      "flapping_window (EMQX's flapping_detect)."));
  r.push_back(integer("limits", "flapping_max_count", "15", 1, 65535,
                      "Connects of one client id allowed within flapping_window."));
  r.push_back(duration("limits", "flapping_window", "1m", 1s, second, day,
                       "Window in which connects are counted, from a client id's first one."));
  r.push_back(duration("limits", "flapping_ban_time", "5m", 1s, second, 365 * day,
                       "How long a flapping client id stays banned (by = flapping)."));
  r.push_back(number("limits", "max_message_rate", "0", 0.0, 1e9,
                     "PUBLISHes per second per client (all protocols); 0 = unlimited. Over it, "
                     "a TCP client is not read until it is back within the rate; MQTT-SN and "
                     "CoAP publishes are refused with their congestion code."));
  r.push_back(size("limits", "max_byte_rate", "0", 0, 1024 * mib,
                   "Topic and payload bytes per second per client; 0 = unlimited. Enforced as "
                   "max_message_rate."));
  // [listener.*.*]
  add_listener(r, "listener.tcp.*", "true", "0.0.0.0:1883", false, false);
  add_listener(r, "listener.ssl.*", "false", "0.0.0.0:8883", false, true);
  add_listener(r, "listener.ws.*", "true", "0.0.0.0:8083", true, false);
  add_listener(r, "listener.wss.*", "false", "0.0.0.0:8084", true, true);
  // [persistence]
  r.push_back(boolean("persistence", "enable", "true",
                      "Keep sessions and retained messages across restarts (in node.data_dir)."));
  r.push_back(
      choice("persistence", "sync", "normal", "off|normal|full",
             "off: leave flushing to the OS; normal: fsync batches; full: fsync every write."));
  r.push_back(duration("persistence", "flush_interval", "50ms", 1ms, 0, minute,
                       "Longest time a change waits to be written in a batch; 0 = at once."));
  // [auth]
  r.push_back(boolean("auth", "allow_anonymous", "true", "Accept clients that send no username."));
  r.push_back(file("auth", "password_file", "",
                   "Users and password hashes (edgegw passwd); empty = none."));
  r.push_back(file("auth", "acl_file", "", "Topic access rules; empty = none."));
  r.push_back(choice("auth", "acl_nomatch", "auto", "auto|allow|deny",
                     "Decision when no ACL rule matches; auto = deny with an acl_file, allow "
                     "without one."));
  r.push_back(boolean("auth", "sys_topics_loopback_only", "true",
                      "Only clients connecting from 127.0.0.0/8 or ::1 may subscribe to $SYS/."));
  add_auth_keys(r);
  add_auth_http_keys(r);
  // Protocol gateways and bridges: one file each (schema_<area>.cpp).
  add_mqttsn_keys(r);
  add_coap_keys(r);
  add_lwm2m_keys(r);
  add_bridge_keys(r);
  add_stomp_keys(r);
  add_api_keys(r);
  add_board_keys(r);
  return r;
}

constexpr section_spec section_table[] = {
    {"node", "This gateway: name, state directory, threads, $SYS.", ""},
    {"log", "Logging.", ""},
    {"mqtt", "MQTT protocol limits and session behaviour (all listeners and adapters).", ""},
    {"limits", "Gateway-wide limits.", ""},
    {"listener.tcp.*", "MQTT over TCP. Add more listeners as [listener.tcp.NAME].", "default"},
    {"listener.ssl.*", "MQTT over TLS. Add more listeners as [listener.ssl.NAME].", "default"},
    {"listener.ws.*", "MQTT over WebSocket. Add more listeners as [listener.ws.NAME].", "default"},
    {"listener.wss.*", "MQTT over secure WebSocket. Add more listeners as [listener.wss.NAME].",
     "default"},
    {"persistence", "Durable sessions and retained messages.", ""},
    {"auth", "Client authentication and authorization.", ""},
    {"gateway.mqttsn", "MQTT-SN 1.2 gateway (UDP): sensors become MQTT sessions.", ""},
    {"gateway.coap", "CoAP gateway (UDP and DTLS), EMQX-compatible /ps and /mqtt/connection.", ""},
    {"gateway.lwm2m",
     "LwM2M 1.0/1.1 server gateway (UDP and DTLS), EMQX-compatible topics and JSON.", ""},
    {"bridge.*", "Bridges to upstream (cloud) MQTT brokers: add one [bridge.NAME] per uplink.", ""},
    {"gateway.stomp", "STOMP 1.0/1.1/1.2 gateway (TCP): destinations are MQTT topics.", ""},
    {"api", "HTTP management API (EMQX /api/v5 paths), Prometheus metrics and dashboard.", ""},
    {"board", "Device integration: profile, serial, status LED, hardware watchdog.", ""},
};

constexpr std::array<std::string_view, 3> placeholders{"clientid", "username", "endpoint_name"};

}  // namespace

std::span<const section_spec> sections() {
  return section_table;
}

std::span<const key_spec> keys() {
  static const std::vector<key_spec> table = build_keys();
  return table;
}

std::span<const std::string_view> runtime_placeholders() {
  return placeholders;
}

bool is_instance_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool matches_pattern(std::string_view pattern, std::string_view name) {
  while (true) {
    auto pdot = pattern.find('.');
    auto ndot = name.find('.');
    std::string_view p = pattern.substr(0, pdot);
    std::string_view n = name.substr(0, ndot);
    if (p == "*" ? !is_instance_name(n) : p != n) return false;
    if (pdot == std::string_view::npos || ndot == std::string_view::npos) {
      return pdot == ndot;
    }
    pattern.remove_prefix(pdot + 1);
    name.remove_prefix(ndot + 1);
  }
}

const section_spec* find_section(std::string_view section) {
  for (const auto& s : section_table) {
    if (matches_pattern(s.pattern, section)) return &s;
  }
  return nullptr;
}

const key_spec* find_key(std::string_view section, std::string_view key) {
  for (const auto& k : keys()) {
    if (matches_pattern(k.section, section) && matches_pattern(k.key, key)) return &k;
  }
  return nullptr;
}

resolved_key resolve_key(std::string_view full_key) {
  // Try every split at a dot: dynamic keys ("predefined.7") hold dots themselves.
  for (auto dot = full_key.find('.'); dot != std::string_view::npos;
       dot = full_key.find('.', dot + 1)) {
    if (const key_spec* k = find_key(full_key.substr(0, dot), full_key.substr(dot + 1))) {
      return {k, dot};
    }
  }
  return {};
}

}  // namespace edgegw::config
