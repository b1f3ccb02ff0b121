// The broker API: the one contract between the core and every protocol adapter (MQTT,
// MQTT-SN, CoAP, LwM2M, STOMP) and the bridge. Modelled on EMQX's gateway context:
//
//   authenticate(credentials)            -> client_info (mountpoint resolved)
//   open_session(client, options, sink)  -> session (+ whether an old one was resumed)
//   subscribe / unsubscribe(session, ..) -> one outcome per filter
//   publish(client, message)             -> how many subscribers it reached
//   session.pull / acknowledge           -> outbound flow with an inflight window
//   close(session, reason, send_will)
//
// Threading: every call is thread-safe and never blocks on I/O (disk writes go to the
// storage thread). Delivery is pull-based so memory stays bounded: when a session has
// something to send, the core calls delivery_sink::on_ready() once (from any thread); the
// adapter then, on its own executor, calls session::pull() as long as its output buffer has
// room. Mountpoints are applied by the core: adapters publish and subscribe with the
// client's own topic names, and deliveries carry the topic with the mountpoint removed.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "message.hpp"
#include "result.hpp"
#include "topic.hpp"

namespace edgegw {

// ---------------------------------------------------------------------------- identity

struct credentials {
  std::string protocol;          // "mqtt", "mqttsn", "coap", "lwm2m", "stomp", "bridge"
  uint8_t protocol_version = 0;  // e.g. MQTT 3 / 4 / 5; informational
  std::string client_id;         // empty: the broker assigns one (if allowed)
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::string peer;              // "ip:port" ("[v6]:port") of the remote end
  std::string listener;          // e.g. "tcp:default", "mqttsn"
  std::string mountpoint;        // the listener's/gateway's mountpoint template, may hold
                                 // ${clientid}, ${username}, ${endpoint_name}
  std::string cert_common_name;  // TLS client certificate CN, when one was presented
};

struct client_info {
  std::string client_id;
  std::string username;
  std::string protocol;
  uint8_t protocol_version = 0;
  std::string peer;
  std::string listener;
  std::string mountpoint;           // resolved: prepended to every topic of this client
  bool client_id_assigned = false;  // the broker generated client_id
  bool is_superuser = false;
  // Set by an adapter whose clients retry a refused publish later (MQTT-SN's "congestion"):
  // over the per-client rates its publishes are refused with errc::quota_exceeded even when
  // publish is given an on_unthrottle, instead of being admitted and paused.
  bool refuse_over_rate = false;
};

// ---------------------------------------------------------------------------- sessions

struct will_message {
  message_ptr msg;              // topic as the client wrote it (the core mounts it)
  uint32_t delay_interval = 0;  // seconds (MQTT 5 Will Delay Interval)
  // MQTT 5 Message Expiry Interval of the will, counted from when it is published (0 =
  // none); the core sets the published message's expire_at_ms from it.
  uint32_t message_expiry_interval = 0;
};

constexpr uint32_t session_never_expires = 0xFFFFFFFF;

struct session_options {
  bool clean_start = true;
  uint32_t expiry_interval = 0;      // seconds; 0: ends with the connection
  uint16_t receive_maximum = 65535;  // the client's: outbound QoS 1/2 inflight window
  std::optional<will_message> will;
  uint16_t keepalive = 0;  // seconds; informational ($SYS events, management API)
};

// What the adapter sends next. For QoS > 0, `id` is the session's packet identifier
// (1..65535), stable across resends and restarts; adapters whose wire ids differ (CoAP
// message ids, STOMP ack ids) keep a map to it.
struct delivery {
  message_ptr msg;
  std::string_view topic;  // msg->topic without this session's mountpoint
  uint16_t id = 0;
  uint8_t qos = 0;      // effective QoS: min(published, granted)
  bool retain = false;  // retain flag to put on the wire (retained-on-subscribe, RAP)
  bool dup = false;     // a resend of an unacknowledged PUBLISH
  bool pubrel = false;  // QoS 2 after PUBREC: resend PUBREL(id), not the PUBLISH
  std::vector<uint32_t> subscription_ids;
};

enum class ack_type : uint8_t { puback, pubrec, pubcomp };

enum class close_reason : uint8_t {
  normal,            // client said goodbye (DISCONNECT)
  normal_with_will,  // MQTT 5 DISCONNECT 0x04
  connection_lost,   // socket closed or error
  keepalive_timeout,
  protocol_error,
  malformed,
  taken_over,
  kicked,
  server_shutdown,
  quota_exceeded,
  not_authorized,
};

class delivery_sink {
 public:
  virtual ~delivery_sink() = default;
  // The session has deliveries ready. Called from any thread, at most once until the next
  // pull() that returned less than asked; must only schedule work on the adapter's
  // executor (e.g. asio::post) and return.
  virtual void on_ready() = 0;
  // The core ended this connection's hold on the session (take-over, kick, shutdown,
  // session limits). Called from any thread; the adapter closes its connection, sending
  // `reason` in whatever form its protocol has.
  virtual void on_close(close_reason reason) = 0;
  // Optional: take a message at routing time instead of having it queued in the session
  // (pull() never sees it). For sinks that hand messages to storage of their own, e.g. the
  // bridge's spool. Called from the publisher's thread, possibly under the broker's routing
  // lock: must not block, must not call back into the broker. `qos` and `retain` are as a
  // delivery would carry them. Returns false to have the message queued as usual.
  // When it returns true and `hold` is not null, the publisher's acknowledgement waits: the
  // sink must call a copy of *hold exactly once, from any thread (before returning when there
  // is nothing to wait for), e.g. once the message is on disk.
  virtual bool take(const message_ptr& msg, uint8_t qos, bool retain,
                    const std::function<void()>* hold) {
    (void)msg;
    (void)qos;
    (void)retain;
    (void)hold;
    return false;
  }
};

struct session_stats {
  std::size_t queued = 0;    // waiting for the inflight window
  std::size_t inflight = 0;  // sent, not yet acknowledged
  uint64_t dropped = 0;      // dropped at queue limits or by expiry
  std::size_t subscriptions = 0;
};

class session {
 public:
  virtual ~session() = default;
  virtual const client_info& client() const noexcept = 0;
  // Move up to `max` deliveries into `out` (appended), respecting the inflight window.
  // Returns how many were added. When it returns fewer than `max`, the sink will get
  // on_ready() again when more arrive.
  virtual std::size_t pull(std::vector<delivery>& out, std::size_t max) = 0;
  // The client acknowledged delivery `id`: PUBACK, PUBREC (QoS 2 step 1) or PUBCOMP.
  // A PUBREC with reason >= 0x80 ends the QoS 2 flow. Returns false for an unknown id.
  virtual bool acknowledge(uint16_t id, ack_type type, uint8_t reason = 0) = 0;
  // Inbound QoS 2 (method B, MQTT 4.3.3): remember `id` between PUBLISH and PUBREL so a
  // resent PUBLISH is not routed twice. begin returns false for a duplicate, and errc via
  // `*error` when the limit of awaiting-release ids is reached.
  virtual bool begin_incoming_qos2(uint16_t id, errc* error) = 0;
  virtual bool release_incoming_qos2(uint16_t id) = 0;
  // Replace the will while connected (MQTT-SN WILLTOPICUPD/WILLMSGUPD); nullopt removes.
  virtual void set_will(std::optional<will_message> will) = 0;
  // Change the session's expiry interval before closing (MQTT 5 DISCONNECT property).
  virtual void set_expiry_interval(uint32_t seconds) = 0;
  virtual session_stats stats() const = 0;
};

using session_ptr = std::shared_ptr<session>;

struct opened_session {
  session_ptr session;
  bool present = false;  // an existing session was resumed (CONNACK session present)
};

// ---------------------------------------------------------------------------- pub/sub

struct subscription_options {
  uint8_t qos = 0;
  bool no_local = false;
  bool retain_as_published = false;
  uint8_t retain_handling = 0;   // 0 send retained, 1 only if new, 2 never
  uint32_t subscription_id = 0;  // 0: none
};

struct subscription_request {
  std::string filter;
  subscription_options options;
};

struct subscribe_outcome {
  errc error = errc::ok;
  uint8_t granted_qos = 0;
};

struct publish_outcome {
  std::size_t matched = 0;  // subscribers it was queued for (0: MQTT 5 reason 0x10)
  // Some subscriber's queue is above its high-water mark. The publisher should stop
  // reading (or hold its acknowledgement) until `on_unthrottle` (given to publish) runs.
  bool throttled = false;
};

enum class action : uint8_t { publish, subscribe };

// Counters every adapter may bump; all relaxed atomics, read by $SYS and the API.
struct broker_metrics {
  std::atomic<uint64_t> connections_total{0};
  std::atomic<int64_t> connections_current{0};
  std::atomic<uint64_t> messages_received{0};
  std::atomic<uint64_t> messages_sent{0};
  // By QoS 0..2, counted by the core: publishes it was given, deliveries pulled (resent
  // PUBRELs excluded).
  std::array<std::atomic<uint64_t>, 3> messages_received_qos{};
  std::array<std::atomic<uint64_t>, 3> messages_sent_qos{};
  std::atomic<uint64_t> messages_dropped{0};
  std::atomic<uint64_t> messages_dropped_queue_full{0};  // also counted in messages_dropped
  std::atomic<uint64_t> messages_expired{0};
  std::atomic<uint64_t> messages_retained{0};  // gauge, maintained by the core
  std::atomic<uint64_t> bytes_received{0};
  std::atomic<uint64_t> bytes_sent{0};
  std::atomic<uint64_t> packets_malformed{0};
  std::atomic<uint64_t> auth_failures{0};
  std::atomic<uint64_t> acl_denials{0};
  std::atomic<int64_t> sessions_current{0};
  std::atomic<int64_t> subscriptions_current{0};
};

// Limits adapters must enforce before committing memory (config [mqtt] and [limits]).
struct broker_limits {
  uint32_t max_packet_size = 1024 * 1024;  // bytes, any protocol's message
  std::size_t max_clientid_len = 65535;
  topic_limits topics;
  uint16_t receive_maximum = 32;    // inbound QoS 1/2 a client may have open
  uint16_t max_awaiting_rel = 100;  // inbound QoS 2 ids awaiting PUBREL
  uint32_t max_keepalive = 65535;   // seconds; larger requests are lowered (v5)
  uint32_t max_session_expiry = session_never_expires;
  uint8_t max_qos = 2;
  bool retain_available = true;
  bool wildcard_subscription_available = true;
  bool shared_subscription_available = true;
  bool subscription_identifiers_available = true;
  uint16_t topic_alias_maximum = 65535;  // aliases a client may use towards us
  std::size_t max_subscriptions = 0;     // per session; 0 = unlimited
};

class broker {
 public:
  virtual ~broker() = default;

  // Check credentials and ACL-independent admission (bans, limits); resolve the
  // mountpoint and, when client_id is empty, assign one.
  virtual result<client_info> authenticate(const credentials& creds) = 0;

  // The same without blocking the calling I/O thread while a credential source answers
  // (e.g. an HTTP authentication hook). `done` runs exactly once: inline, or later from
  // any thread, so adapters post it to their own executor. With the synchronous call,
  // sources that need a remote answer use only what they have cached.
  using authenticate_handler = std::function<void(result<client_info>)>;
  virtual void authenticate_async(const credentials& creds, authenticate_handler done) {
    done(authenticate(creds));
  }

  // Attach a connection to its session: takes over a connected one (its sink gets
  // on_close(taken_over)), resumes a persistent one unless clean_start, queues resends
  // of unacknowledged deliveries first.
  virtual result<opened_session> open_session(const client_info& client,
                                              const session_options& options,
                                              std::shared_ptr<delivery_sink> sink) = 0;

  virtual bool authorize(const client_info& client, action act, std::string_view topic) = 0;

  // Route a message (topic relative to the client's mountpoint). Applies retain,
  // `$delayed/`, ACL. `on_unthrottle` may be called once, from any thread, after a
  // throttled outcome.
  virtual result<publish_outcome> publish(const client_info& client, message_ptr msg,
                                          std::function<void()> on_unthrottle = {}) = 0;

  virtual std::vector<subscribe_outcome> subscribe(session& s,
                                                   std::span<const subscription_request> subs) = 0;
  virtual std::vector<errc> unsubscribe(session& s, std::span<const std::string> filters) = 0;

  // The connection is gone. send_will: publish the will (now or after its delay); the
  // session then lives on for its expiry interval, or ends now.
  virtual void close(session& s, close_reason reason, bool send_will) = 0;

  // The retained messages matching `filter` (relative to the client's mountpoint; topics
  // in the result are as stored, mountpoint included), unexpired ones only. For gateways
  // that read a retained value without subscribing (CoAP GET). Callers
  // authorize(client, action::subscribe, filter) first; messages on topics the client may
  // not read are left out. A broker without a retained store (test fakes) has none.
  virtual std::vector<message_ptr> retained(const client_info& client, std::string_view filter) {
    (void)client;
    (void)filter;
    return {};
  }

  virtual broker_metrics& metrics() noexcept = 0;
  virtual const broker_limits& limits() const noexcept = 0;
};

}  // namespace edgegw
