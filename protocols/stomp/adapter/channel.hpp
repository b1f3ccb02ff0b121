// One STOMP 1.0/1.1/1.2 connection as a Sans-I/O state machine over the broker API:
// bytes and time in; output bytes, broker calls and a close decision out. Driven the same
// way by the Asio glue (connection.hpp) and the unit tests.
//
//   on_bytes(in, now)        feed the unconsumed input; returns how many bytes were used
//   on_tick(now)             at next_deadline(): CONNECT time-out, heart-beats both ways
//   on_deliveries_ready(now) the session's delivery_sink::on_ready, posted here
//   on_unthrottled(now)      the on_unthrottle of a throttled SEND, posted here
//   on_session_closed(r,now) the session's delivery_sink::on_close, posted here
//   on_authenticated(r,now)  the answer of authenticate_async, posted here; input after the
//                            CONNECT frame is not consumed (nor read) until then
//   pump(now)                after the output drained (a write completed)
//   on_transport_closed()    the socket is gone
// After each call the owner writes output(), stops reading while !wants_read(), and closes
// once wants_close() and the output is written.
//
// Mapping onto MQTT: a destination is the MQTT topic (filter, for SUBSCRIBE) as written,
// relative to the mountpoint. Each distinct destination is one MQTT subscription at QoS 1
// (so unacknowledged messages stay inflight in the broker session, bounded by
// max_unacked); STOMP subscriptions sharing a destination share it. A delivery becomes a
// MESSAGE for every STOMP subscription whose destination matches its topic, and is
// acknowledged to the broker once every client/client-individual subscription ACKed it
// (auto: when written). NACK sends the message again (redelivered:true), up to
// max_redeliveries times. SENDs, ACKs and NACKs inside a transaction wait for COMMIT.
//
// Owner: one executor (the connection's); nothing here is thread-safe.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/broker.hpp"
#include "protocols/stomp/adapter/settings.hpp"
#include "protocols/stomp/codec/codec.hpp"

namespace edgegw::stomp {

enum class ack_mode : uint8_t { automatic, client, client_individual };

class channel {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  struct hooks {
    std::shared_ptr<delivery_sink> sink;  // handed to open_session
    std::function<void()> on_unthrottle;  // handed to publish: must post on_unthrottled()
    // Handed to broker::authenticate_async: must post on_authenticated(r). When empty,
    // CONNECT authenticates synchronously.
    broker::authenticate_handler on_authenticated;
  };

  channel(std::shared_ptr<const settings> cfg, broker& b, std::string peer, hooks h,
          time_point now);
  ~channel();  // ends the session (connection_lost) if the owner never reported an end
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  std::size_t on_bytes(std::span<const uint8_t> in, time_point now);
  void on_tick(time_point now);
  void on_deliveries_ready(time_point now);
  void on_unthrottled(time_point now);
  void on_session_closed(close_reason r, time_point now);
  void on_authenticated(result<client_info> r, time_point now);
  void pump(time_point now);
  void on_transport_closed();

  std::string& output() noexcept { return out_; }
  bool wants_read() const noexcept;
  bool wants_close() const noexcept { return closing_; }
  // Bytes the frame at the front of the input needs in total (0 when unknown).
  std::size_t bytes_wanted() const noexcept { return needed_; }
  std::optional<time_point> next_deadline() const noexcept;

  bool connected() const noexcept { return connected_; }
  version protocol_version() const noexcept { return decoder_.get_version(); }
  const std::string& client_id() const noexcept { return client_id_; }
  const std::string& peer() const noexcept { return peer_; }
  std::optional<close_reason> closed_reason() const noexcept { return close_reason_; }
  std::size_t unacked() const noexcept { return unacked_.size(); }

 private:
  struct subscription {
    std::string destination;
    ack_mode mode = ack_mode::automatic;
    std::string match;  // the filter topics are matched against ($share/g/f: f)
  };
  // One broker delivery, shared by the MESSAGE frames sent for it.
  struct held_delivery {
    message_ptr msg;
    std::string topic;
    uint16_t id = 0;
    uint8_t qos = 0;
    std::size_t refs = 0;  // MESSAGE frames not yet ACKed
  };
  struct unacked_message {
    std::shared_ptr<held_delivery> held;
    std::string subscription;
    uint32_t redeliveries = 0;
  };

  // channel.cpp: input, dispatch, CONNECT, timers, errors and closing.
  void dispatch(frame& f);
  void handle_connect(frame& f);
  // The rest of CONNECT once authenticated: open the session, CONNECTED or ERROR.
  void connect_authenticated(result<client_info> who);
  void send_frame(const frame& f);
  void send_receipt(const frame& f);
  // ERROR (message + body, receipt-id of the offending frame), then close.
  void fail(std::string_view message, std::string_view detail, const frame* cause,
            close_reason reason);
  void close(close_reason reason, bool send_will);
  void end_session(close_reason reason, bool send_will);

  // channel_frames.cpp: SEND, SUBSCRIBE, UNSUBSCRIBE, ACK/NACK, transactions.
  bool hold_in_transaction(frame& f);
  bool apply_send(const frame& f);
  void handle_subscribe(const frame& f);
  void handle_unsubscribe(const frame& f);
  bool apply_ack(const frame& f, bool positive);
  void handle_begin(const frame& f);
  void handle_commit(const frame& f);
  void handle_abort(const frame& f);

  // channel_outbound.cpp: deliveries to MESSAGE frames, ACK bookkeeping, redelivery.
  void deliver(const delivery& d);
  void send_message(const std::shared_ptr<held_delivery>& h, const std::string& sub_id,
                    ack_mode mode, uint32_t redeliveries);
  void settle(unacked_message& u);  // one MESSAGE done: release the delivery when all are
  void release(held_delivery& h);
  void drop_subscription_unacked(const std::string& sub_id);

  std::shared_ptr<const settings> cfg_;
  broker& broker_;
  std::string peer_;
  hooks hooks_;
  decoder decoder_;
  frame frame_;  // reused across frames

  session_ptr session_;
  std::string client_id_;
  bool connected_ = false;
  bool closing_ = false;
  bool throttled_ = false;
  bool authenticating_ = false;  // CONNECT waits for authenticate_async
  version connecting_version_ = version::v12;
  std::optional<std::string> connect_receipt_;  // of the CONNECT frame, for its ERROR
  std::optional<close_reason> close_reason_;

  std::string out_;
  std::size_t needed_ = 0;
  time_point now_;  // of the current call
  time_point accepted_at_;
  time_point last_rx_;
  time_point last_tx_;
  std::chrono::milliseconds send_every_{0};    // our heart-beats (0: none)
  std::chrono::milliseconds expect_every_{0};  // the client's, before grace (0: none)

  std::map<std::string, subscription> subs_;         // by STOMP subscription id
  std::map<std::string, std::size_t> destinations_;  // MQTT filter -> subscriptions on it
  std::map<uint64_t, unacked_message> unacked_;      // by message-id, in sending order
  uint64_t next_message_id_ = 1;
  std::map<std::string, std::vector<frame>> transactions_;

  bool ready_ = false;
  std::vector<delivery> batch_;
  std::size_t batch_pos_ = 0;
};

}  // namespace edgegw::stomp
