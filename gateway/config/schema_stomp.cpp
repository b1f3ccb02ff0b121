// [gateway.stomp]: the STOMP 1.0/1.1/1.2 gateway (SPEC section 8).
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_stomp_keys(std::vector<key_spec>& r) {
  const string_view s = "gateway.stomp";
  r.push_back(boolean(s, "enable", "true", "Start the STOMP gateway."));
  r.push_back(address(s, "bind", "0.0.0.0:61613", "TCP address and port; [::]:61613 for IPv6."));
  r.push_back(integer(s, "max_connections", "10000", 1, unlimited_count,
                      "Most STOMP connections at once (each listener)."));
  r.push_back(number(s, "max_conn_rate", "0", 0.0, 1e6,
                     "New connections accepted per second (each listener, TCP and WebSocket); "
                     "0 = unlimited. Over it, accepting pauses (connections wait in the "
                     "backlog) rather than refusing."));
  r.push_back(boolean(s, "ws_enable", "false",
                      "Also serve STOMP over WebSocket (subprotocols v10.stomp, v11.stomp, "
                      "v12.stomp)."));
  r.push_back(
      address(s, "ws_bind", "0.0.0.0:61614", "TCP address and port of STOMP over WebSocket."));
  key_spec p = non_empty(text(s, "ws_path", "/stomp", "HTTP path of the WebSocket endpoint."));
  p.check = [](string_view v) {
    return !v.empty() && v.front() == '/' ? string_view{} : string_view{"must start with '/'"};
  };
  r.push_back(p);
  r.push_back(runtime_template(text(s, "mountpoint", "",
                                    "Prefix added to every destination of STOMP clients; may "
                                    "use ${clientid} and ${username}.")));
  r.push_back(integer(s, "send_qos", "0", 0, 2, "MQTT QoS of the messages SEND frames publish."));
  r.push_back(size(s, "max_frame_size", "1MB", 64, 256 * mib,
                   "Largest frame (command, headers and body) a client may send."));
  r.push_back(integer(s, "max_headers", "64", 1, 10000, "Most headers in one frame."));
  r.push_back(
      size(s, "max_header_length", "8KB", 16, 1 * mib, "Longest header line (name:value)."));
  r.push_back(size(s, "max_body", "1MB", 0, 256 * mib, "Largest body of one frame."));
  r.push_back(duration(s, "heartbeat_send", "10s", 1s, 0, hour,
                       "Shortest interval at which we send heart-beats (CONNECTED heart-beat "
                       "sx); 0: we send none."));
  r.push_back(duration(s, "heartbeat_receive", "10s", 1s, 0, hour,
                       "Interval at which we ask clients to send heart-beats (sy); 0: none."));
  r.push_back(duration(s, "heartbeat_min", "1s", 1s, 1 * second, hour,
                       "Shortest heart-beat interval a client may ask for, either way."));
  r.push_back(integer(s, "heartbeat_grace", "2", 1, 10,
                      "A client silent for this many of its heart-beat intervals is dropped."));
  r.push_back(duration(s, "connect_timeout", "10s", 1s, 1 * second, hour,
                       "Time from accept to the CONNECT frame."));
  r.push_back(integer(s, "max_unacked", "64", 1, 65535,
                      "Messages a client/client-individual connection may hold unacknowledged; "
                      "more wait in the broker."));
  r.push_back(integer(s, "max_subscriptions", "100", 1, 100000, "Subscriptions per connection."));
  r.push_back(integer(s, "max_transactions", "16", 1, 10000, "Open transactions per connection."));
  r.push_back(integer(s, "max_transaction_frames", "1000", 1, 1000000,
                      "Frames one transaction may hold until COMMIT."));
  r.push_back(integer(s, "max_redeliveries", "5", 0, 1000000,
                      "NACKs of one message after which it is dropped."));
  r.push_back(size(s, "write_high_water", "64KB", 1 * kib, 64 * mib,
                   "Unsent output above which no more messages are taken for a slow reader."));
}

}  // namespace edgegw::config::detail
