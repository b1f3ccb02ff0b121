// One MQTT-SN client as a Sans-I/O state machine: decoded messages and time go in; datagrams
// for the client, broker API calls and an end decision come out. It owns no socket and no
// timer: the gateway (gateway.hpp) routes datagrams to it by address and drives its timer.
//
// States (MQTT-SN 1.2 section 6.14):
//   will_topic, will_msg  CONNECT with the will flag: WILLTOPICREQ / WILLMSGREQ sent
//   authenticating        CONNECT complete, waiting for authenticate_async's answer: a
//                         retransmitted CONNECT is ignored, other messages are those of an
//                         unconnected client; bounded by connect_timeout
//   active                connected: publishes both ways, keepalive watched
//   asleep                DISCONNECT with a duration: deliveries are buffered (bounded)
//   awake                 PINGREQ while asleep: buffered messages go out, then PINGRESP
//   ended                 the gateway drops this state
//
// Owner: the gateway's executor; nothing here is thread-safe. The delivery_sink and the
// unthrottle callbacks come from hooks and must only post to that executor.
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/api/broker.hpp"
#include "protocols/mqttsn/adapter/detail/topic_registry.hpp"
#include "protocols/mqttsn/adapter/settings.hpp"
#include "protocols/mqttsn/adapter/stats.hpp"
#include "protocols/mqttsn/codec/packet.hpp"

namespace spdlog {
class logger;
}

namespace edgegw::mqttsn {

class channel {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  enum class state : uint8_t { will_topic, will_msg, authenticating, active, asleep, awake, ended };

  // What the owner lends the channel to be called back through the broker. `serial` names
  // this channel, `generation` its session (a new one per CONNECT), so late calls from an
  // older session are told apart.
  struct hooks {
    std::function<std::shared_ptr<delivery_sink>(uint64_t serial, uint64_t generation)> make_sink;
    std::function<std::function<void()>(uint64_t serial, uint64_t generation)> make_unthrottle;
    // Handed to broker::authenticate_async: the function must post on_authenticated(attempt,
    // r) for channel `serial`. When empty, CONNECT authenticates synchronously.
    std::function<broker::authenticate_handler(uint64_t serial, uint64_t attempt)> make_auth_done;
  };

  channel(uint64_t serial, std::shared_ptr<const settings> cfg, broker& b, hooks& h,
          gateway_stats& stats, std::string peer, time_point now);
  ~channel();  // closes the session (connection_lost, with will) if still open
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  // A message from this client's address (never a QoS -1 PUBLISH, SEARCHGW or ADVERTISE:
  // the gateway answers those).
  void on_packet(packet& p, time_point now);
  void on_deliveries_ready(uint64_t generation, time_point now);
  void on_session_closed(uint64_t generation, close_reason r, time_point now);
  void on_unthrottled(uint64_t generation, time_point now);
  // The answer of the authenticate_async started by attempt `attempt` (stale ones ignored).
  void on_authenticated(uint64_t attempt, result<client_info> r, time_point now);
  void on_tick(time_point now);
  // The gateway stops: end the session without the will.
  void shutdown();

  std::optional<time_point> next_deadline() const noexcept;
  // Datagrams for the client, in order; the owner drains it.
  std::vector<std::string>& output() noexcept { return out_; }

  state current_state() const noexcept { return state_; }
  bool ended() const noexcept { return state_ == state::ended; }
  uint64_t serial() const noexcept { return serial_; }
  const std::string& client_id() const noexcept { return client_id_; }
  // The client's client_info once connected (for QoS -1 publishes from its address).
  const client_info* client() const noexcept { return session_ ? &client_ : nullptr; }
  void set_peer(std::string peer) { peer_ = std::move(peer); }
  const std::string& peer() const noexcept { return peer_; }

 private:
  struct inflight {
    delivery d;  // keeps the message alive
    uint16_t topic_id = 0;
    topic_id_type id_type = topic_id_type::normal;
    bool released = false;  // QoS 2: PUBREC seen, PUBREL sent
    time_point sent_at;
    unsigned retries = 0;
  };
  struct pending_register {
    std::string topic;
    uint16_t topic_id = 0;
    uint16_t msg_id = 0;
    time_point sent_at;
    unsigned retries = 0;
  };

  // channel.cpp: connect and the will handshake, will updates, ending.
  // channel_sleep.cpp: DISCONNECT, sleep and wake-up, PINGREQ, timers.
  void on_connect(connect& c);
  void on_willtopic(willtopic& w);
  void on_willmsg(willmsg& w);
  void finish_connect();
  void connect_authenticated(connect& c, result<client_info> info);
  void on_disconnect(const disconnect& d);
  void on_pingreq(const pingreq& p);
  void on_will_update(willtopic& w);
  void on_will_update(willmsg& w);
  void go_asleep();
  void refuse(return_code rc, std::string_view why);
  std::chrono::milliseconds scaled(uint16_t seconds) const;
  void end(close_reason r, bool send_will);
  void lost(close_reason r, std::string_view why);
  void set_state(state s);
  void send(const packet& p);

  // channel_inbound.cpp: PUBLISH, REGISTER, SUBSCRIBE, UNSUBSCRIBE from the client.
  void on_publish(publish& p);
  void on_pubrel(uint16_t msg_id);
  void on_register(reg& r);
  void on_subscribe(subscribe& s);
  void reply_publish(const publish& p, return_code rc);
  std::optional<std::string> inbound_topic(const publish& p, return_code* rc) const;

  // channel_outbound.cpp: deliveries, REGISTER towards the client, acks, resends.
  void pump();
  bool resolve_outbound(std::string_view topic, uint16_t* id, topic_id_type* type) const;
  void start_register(std::string_view topic);
  void send_publish(const inflight& f, bool dup);
  void complete_unsent(const delivery& d);
  void buffer_while_asleep();
  void on_puback(const puback& a);
  void on_pubrec(uint16_t msg_id);
  void on_pubcomp(uint16_t msg_id);
  void on_regack(const regack& a);
  void resend_due();
  void maybe_finish_wake();
  uint16_t next_msg_id();

  const uint64_t serial_;
  std::shared_ptr<const settings> cfg_;
  broker& broker_;
  hooks& hooks_;
  gateway_stats& stats_;
  std::shared_ptr<spdlog::logger> log_;
  std::string peer_;

  state state_ = state::will_topic;
  time_point now_;
  time_point last_rx_;
  time_point state_since_;
  std::string client_id_;
  client_info client_;
  session_ptr session_;
  uint64_t generation_ = 0;
  bool session_open_ = false;

  // The CONNECT being completed, and the will gathered for it.
  std::optional<connect> pending_connect_;
  std::optional<message> will_draft_;  // topic, qos, retain, payload
  uint64_t auth_attempt_ = 0;          // of the authenticate_async awaited in authenticating
  uint16_t keepalive_ = 0;             // seconds (CONNECT Duration)
  uint16_t sleep_duration_ = 0;        // seconds (DISCONNECT Duration)

  detail::topic_registry registry_;

  // Inbound.
  std::deque<packet> held_acks_;      // acks of publishes the broker throttled
  std::deque<uint16_t> recent_qos1_;  // ids of recent QoS 1 PUBLISH, to spot resends

  // Outbound.
  bool ready_ = false;          // the session may have deliveries
  std::deque<delivery> queue_;  // pulled, not yet sent (the sleep buffer while asleep)
  std::vector<inflight> inflight_;
  std::optional<pending_register> register_;
  uint16_t last_msg_id_ = 0;
  std::size_t sent_this_wake_ = 0;
  std::vector<delivery> scratch_;

  std::vector<std::string> out_;
};

const char* to_string(channel::state s) noexcept;

}  // namespace edgegw::mqttsn
