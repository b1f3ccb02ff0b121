// Settings of one MQTT listener, as the app fills them from `[mqtt]`, `[limits]` and the
// listener's own section. A plain value shared read-only (shared_ptr<const settings>) by
// every connection of that listener, so a config reload builds a new one instead of
// mutating it under live connections. Broker-wide capabilities (maximum QoS, retain,
// wildcard / shared / subscription-identifier availability, topic limits, client id
// length, awaiting-PUBREL limit) are not here: the channel reads them from
// broker::limits().
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "gateway/api/broker.hpp"

namespace edgegw::mqtt {

struct settings {
  // Identity of the listener: credentials.listener and logs ("tcp:default", "ws:default").
  std::string listener = "tcp:default";
  // Mountpoint template handed to authenticate (may hold ${clientid}, ${username}).
  std::string mountpoint;

  // Close a connection that has not sent a complete CONNECT within this time.
  std::chrono::milliseconds idle_timeout{15000};
  // Close a client silent for keepalive x this (MQTT says 1.5).
  double keepalive_multiplier = 1.5;
  // v5: when > 0, the keepalive we impose on every client (Server Keep Alive).
  uint16_t server_keepalive = 0;
  // v5: a client asking for more (seconds) is lowered to this via Server Keep Alive.
  uint16_t max_keepalive = 65535;

  // Our Receive Maximum: inbound QoS 1/2 PUBLISH a v5 client may have unacknowledged.
  uint16_t max_inflight = 32;
  // Outbound inflight window: min(this, the client's Receive Maximum) goes to the session.
  uint16_t max_outbound_inflight = 32;
  // Largest packet we accept (v5 Maximum Packet Size in CONNACK); also bounds the read
  // buffer of a connection.
  uint32_t max_packet_size = 1024 * 1024;
  // Topic aliases a v5 client may use towards us (our Topic Alias Maximum; 0 = none).
  uint16_t max_topic_alias = 65535;
  // At most this many outbound aliases per connection, whatever the client allows.
  uint16_t max_outbound_topic_alias = 128;

  // v3.1 / 3.1.1: resend unacknowledged outbound QoS 1/2 after this while connected
  // (0 = only on reconnect, which is all MQTT 5 allows).
  std::chrono::milliseconds retry_interval{30000};

  // Expiry of a v3 persistent (clean session = 0) session, in seconds.
  uint32_t session_expiry_interval = 7200;
  // Cap on a v5 client's Session Expiry Interval (seconds); a capped value is returned in
  // CONNACK.
  uint32_t max_session_expiry = session_never_expires;

  // Let clients connect with an empty client id (v3.1.1 clean session, any v5) and have
  // the broker assign one.
  bool allow_empty_clientid = true;

  // Transport glue.
  bool tcp_nodelay = true;
  // Deliveries are pulled while the pending output is below this; reading the client
  // pauses while it is above twice this (the client is not reading what it asked for).
  std::size_t write_high_water = 64 * 1024;
  // Initial read buffer; grows up to max_packet_size only for a packet that needs it.
  std::size_t read_buffer_size = 4096;
  // After our last bytes and our FIN, wait this long for the peer's FIN before closing,
  // so a refusal (CONNACK, DISCONNECT) is not lost to a TCP reset.
  std::chrono::milliseconds close_linger{2000};
  // Deliveries pulled from the session at a time.
  std::size_t pull_batch = 32;

  // Defaults taken from the broker-wide limits, for the app to override per listener.
  static settings from_limits(const broker_limits& l) {
    settings s;
    s.max_packet_size = l.max_packet_size;
    s.max_inflight = l.receive_maximum;
    s.max_keepalive = static_cast<uint16_t>(l.max_keepalive > 65535 ? 65535 : l.max_keepalive);
    s.max_session_expiry = l.max_session_expiry;
    s.max_topic_alias = l.topic_alias_maximum;
    return s;
  }
};

}  // namespace edgegw::mqtt
