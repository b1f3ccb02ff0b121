// The MQTT 3.1 / 3.1.1 / 5.0 server side of one connection as a Sans-I/O state machine:
// bytes and time go in, output bytes, broker API calls and a close decision come out. It
// owns no socket and no timer, so it is driven the same way by the Asio glue
// (connection.hpp), a WebSocket or TLS stream, and the unit tests.
//
// How the owner drives it:
//   on_bytes(in, now)        feed received bytes; returns how many were consumed (whole
//                            packets; the rest must be fed again with more bytes appended)
//   on_tick(now)             at next_deadline(): idle / keepalive timeouts, v3 resends
//   on_deliveries_ready(now) the session's delivery_sink::on_ready, posted here
//   on_unthrottled(now)      the on_unthrottle callback of a throttled publish, posted here
//   on_session_closed(r,now) the session's delivery_sink::on_close, posted here
//   on_authenticated(r,now)  the answer of authenticate_async, posted here (input is not
//                            consumed while it is awaited)
//   pump(now)                after the output buffer drained (a write completed)
//   on_transport_closed()    the socket is gone
// and after each call writes out output() (draining it), stops reading while
// !wants_read(), and closes the transport once wants_close() and the output is written.
//
// Owner: one executor (the connection's); nothing here is thread-safe. The delivery_sink
// and the unthrottle callback handed to the broker are the owner's, and must only post to
// that executor.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/broker.hpp"
#include "protocols/mqtt/adapter/detail/retry_queue.hpp"
#include "protocols/mqtt/adapter/detail/topic_aliases.hpp"
#include "protocols/mqtt/adapter/settings.hpp"
#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/codec/packet.hpp"

namespace spdlog {
class logger;
}

namespace edgegw::mqtt {

class channel {
 public:
  using clock = std::chrono::steady_clock;
  using time_point = clock::time_point;

  // What the owner lends the channel to talk back to it through the broker: the sink
  // handed to open_session, and the callbacks the broker may run later from any thread
  // (they must only post to the owner's executor). One object instead of a std::function
  // each keeps an idle connection small; the functions the broker API takes are made from
  // it when a call needs one.
  class link : public delivery_sink {
   public:
    // Handed to publish as on_unthrottle: must post on_unthrottled().
    virtual void unthrottle() = 0;
    // True: the channel calls broker::authenticate_async and authenticated(r) must post
    // on_authenticated(r). False: it calls the synchronous authenticate() (unit tests,
    // simple owners).
    virtual bool authenticates_async() const { return false; }
    virtual void authenticated(result<client_info> r) { (void)r; }
    // For message expiry.
    virtual int64_t wall_clock_ms() { return unix_ms_now(); }
  };

  // About the transport, for authenticate and logs.
  struct peer_info {
    std::string address;           // "ip:port" / "[v6]:port"
    std::string cert_common_name;  // TLS client certificate CN, if any
  };

  channel(std::shared_ptr<const settings> cfg, broker& b, peer_info peer, std::shared_ptr<link> l,
          time_point now);
  // Closes the session (as connection_lost, with will) if the owner never reported an end.
  ~channel();
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

  // Bytes to write, appended to by every call above; the owner drains it (e.g. swaps it
  // with an empty buffer of its own to keep both allocations).
  std::string& output() noexcept { return out_; }
  // False while a publish is throttled, while closing, or while the client is not reading
  // what it asked for (output above twice the high-water mark).
  bool wants_read() const noexcept;
  bool wants_close() const noexcept { return closing_; }
  bool throttled() const noexcept { return throttled_; }
  // Bytes the packet at the front of the unconsumed input needs in total (0 when unknown);
  // the owner makes its read buffer at least this big (bounded by max_packet_size).
  std::size_t bytes_wanted() const noexcept { return needed_; }
  // When on_tick must run next; nullopt when nothing is timed.
  std::optional<time_point> next_deadline() const noexcept;

  bool connected() const noexcept { return phase_ == phase::connected; }
  version protocol_version() const noexcept { return ver_; }
  // The session's client (empty before CONNECT succeeded and after the session ended).
  const client_info& client() const noexcept;
  const std::string& client_id() const noexcept { return client().client_id; }
  const std::string& peer() const noexcept { return peer_; }
  const settings& config() const noexcept { return *cfg_; }
  std::optional<close_reason> closed_reason() const noexcept { return close_reason_; }

 private:
  enum class phase : uint8_t { awaiting_connect, connected };

  // channel.cpp: input loop, dispatch, timers, closing.
  void dispatch(packet& p);
  void on_decode_error(const decode_result& r, std::span<const uint8_t> in);
  void handle(connack&) { unexpected(packet_type::connack); }
  void handle(suback&) { unexpected(packet_type::suback); }
  void handle(unsuback&) { unexpected(packet_type::unsuback); }
  void handle(pingresp&) { unexpected(packet_type::pingresp); }
  void handle(pingreq&);
  void handle(auth&);
  void handle(disconnect& d);
  void unexpected(packet_type t);
  // Server-side close: v5 DISCONNECT `code` (if connected and v5 and code != 0), then end
  // the session with `reason`.
  void close(close_reason reason, bool send_will, uint8_t code, std::string_view why);
  void end_session(close_reason reason, bool send_will);
  template <class Packet>
  void send(const Packet& p);

  // channel_connect.cpp
  void handle(connect& c);
  // The rest of CONNECT once authenticate has answered: session, CONNACK.
  void connect_authenticated(connect& c, result<client_info> info);
  void refuse(uint8_t v5_reason, std::string_view why);
  std::optional<will_message> make_will(connect& c, const std::string& client_id);
  void send_connack(const connect& c, bool present, uint16_t keepalive, bool keepalive_changed,
                    std::optional<uint32_t> expiry_override);

  // State most connections never need (v5 topic aliases, v3 resend bookkeeping), allocated
  // on first use so an idle connection stays small.
  struct extras {
    detail::inbound_aliases in_aliases;
    detail::outbound_aliases out_aliases;
    detail::retry_queue retry;
  };
  extras& ext() {
    if (!extras_) extras_ = std::make_unique<extras>();
    return *extras_;
  }

  // channel_inbound.cpp
  void handle(publish& p);
  void handle(pub_response& r);
  void handle(subscribe& s);
  void handle(unsubscribe& u);
  bool resolve_alias(publish& p);
  void route(publish& p);
  void reply_publish(uint8_t qos, uint16_t id, uint8_t code);
  std::size_t inbound_open() const noexcept { return awaiting_rel_ + (held_ack_ ? 1 : 0); }

  // channel_outbound.cpp
  void send_delivery(const delivery& d);
  void resend(const delivery& d);
  void complete_unsent(const delivery& d);
  void fill_props(const delivery& d, int64_t wall_ms);
  bool retry_active() const noexcept;

  // Ordered by size so that an idle connection carries no padding.
  std::shared_ptr<const settings> cfg_;
  broker& broker_;
  std::string peer_;                      // peer_info::address
  std::unique_ptr<std::string> cert_cn_;  // peer_info::cert_common_name, when there is one
  std::shared_ptr<link> link_;
  session_ptr session_;
  std::string_view connecting_id_;  // the CONNECT's client id, for logs while refusing
  std::string out_;
  time_point now_;
  time_point accepted_at_;
  time_point last_rx_;
  std::chrono::milliseconds keepalive_limit_{0};  // 0: no keepalive
  std::unique_ptr<connect> authenticating_;       // the CONNECT awaiting authenticate_async

  // Inbound flow.
  std::unique_ptr<pub_response>
      held_ack_;  // the ack of the publish that throttled (rare: not inline)

  // Outbound flow: pulled, not yet encoded (output reached high water); released once
  // drained with nothing more waiting.
  std::vector<delivery> batch_;
  std::unique_ptr<extras> extras_;
  uint32_t batch_pos_ = 0;
  uint32_t client_max_packet_ = 0;  // 0: no limit
  uint32_t session_expiry_ = 0;
  uint32_t needed_ = 0;        // bytes_wanted() (bounded by max_packet_size)
  uint32_t awaiting_rel_ = 0;  // our QoS 2 ids between PUBREC and PUBREL
  phase phase_ = phase::awaiting_connect;
  version ver_ = version::v311;
  std::optional<close_reason> close_reason_;
  bool session_ended_ = false;
  bool closing_ = false;
  bool throttled_ = false;
  bool ready_ = false;  // the session may have deliveries (on_ready, an ack, a resume)
};

}  // namespace edgegw::mqtt
