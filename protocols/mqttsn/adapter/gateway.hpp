// The MQTT-SN gateway without I/O: datagrams (with their source address) and time go in,
// datagrams with their destination come out. It keeps one channel (channel.hpp) per client
// address and answers what needs no client state itself: SEARCHGW (GWINFO to the sender),
// QoS -1 PUBLISH to predefined and short topic ids, Encapsulated messages of forwarders
// (the client is then the forwarder's address plus the wireless node id, and answers go
// back encapsulated), and messages from unknown addresses (DISCONNECT, so a client learns
// it must connect again, e.g. after a gateway restart).
//
// Address changes: a CONNECT whose client id is held by a client state at another address
// moves that state (registrations, sleep buffer, session) to the new address: the same
// device reconnected from a new port or through another forwarder. A PINGREQ naming a
// sleeping client's id from a new address does the same. A CONNECT with another client id
// from an address replaces the client state of that address (its will fires).
//
// QoS -1 from an address with no connected client is published as one shared client
// ("mqttsn-qos-1"), authenticated once. With hooks.make_auth_done that authentication is
// asynchronous: when the answer is not given within the call (a remote source such as the
// HTTP hook is asked), QoS -1 publishes arriving before it are dropped and counted
// (messages_dropped): QoS -1 has no acknowledgement and the sender none to wait for.
//
// Owner: one executor (the UDP service's); nothing here is thread-safe.
#pragma once
#include "gateway/api/asio.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/api/broker.hpp"
#include "protocols/mqttsn/adapter/channel.hpp"
#include "protocols/mqttsn/adapter/settings.hpp"
#include "protocols/mqttsn/adapter/stats.hpp"

namespace edgegw::mqttsn {

// Where a client is: a UDP address, or a forwarder's address plus the wireless node id.
struct peer_address {
  boost::asio::ip::udp::endpoint ep;
  bool forwarded = false;
  std::string node_id;
  uint8_t ctrl = 0;  // forwarder's control octet, echoed; not part of the identity
  bool operator==(const peer_address& o) const;
  std::string str() const;  // "ip:port", "[v6]:port", "ip:port/node=<hex>"
};

struct peer_address_hash {
  std::size_t operator()(const peer_address& a) const noexcept;
};

struct datagram {
  boost::asio::ip::udp::endpoint to;
  std::string bytes;
};

class gateway {
 public:
  using clock = channel::clock;
  using time_point = channel::time_point;

  gateway(std::shared_ptr<const settings> cfg, broker& b, channel::hooks h, gateway_stats& stats);
  ~gateway();
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  void on_datagram(std::span<const uint8_t> bytes, const boost::asio::ip::udp::endpoint& from,
                   time_point now);
  void on_deliveries_ready(uint64_t serial, uint64_t generation, time_point now);
  void on_session_closed(uint64_t serial, uint64_t generation, close_reason r, time_point now);
  void on_unthrottled(uint64_t serial, uint64_t generation, time_point now);
  // An authenticate_async answer (hooks.make_auth_done): for channel `serial`, or for the
  // shared QoS -1 client when serial is qos_m1_serial.
  void on_authenticated(uint64_t serial, uint64_t attempt, result<client_info> r, time_point now);
  static constexpr uint64_t qos_m1_serial = 0;
  void on_tick(time_point now);
  // Ends every session without wills (the gateway stops).
  void shutdown();

  std::optional<time_point> next_deadline() const;
  // Datagrams to send, in order; the owner drains it.
  std::vector<datagram>& output() noexcept { return out_; }
  // The ADVERTISE datagram (duration: seconds until the next one).
  std::string advertise_datagram(uint16_t duration) const;

  std::size_t client_count() const noexcept { return by_addr_.size(); }
  // The state of the client with this id (tests, management); nullptr when none.
  const channel* find_client(const std::string& client_id) const;

 private:
  void handle(const peer_address& from, packet& p, time_point now);
  void on_connect(const peer_address& from, packet& p, time_point now);
  void on_qos_m1(const peer_address& from, publish& p);
  channel* at(const peer_address& a);
  channel* by_serial(uint64_t serial);
  void move_client(channel& c, const peer_address& to);
  void reply(const peer_address& to, const packet& p);
  void emit(const peer_address& to, std::string bytes);
  // After any call into `c`: send its output, reschedule its timer, drop it when ended.
  void after(channel& c);
  void erase(uint64_t serial);
  void malformed(const peer_address& from, const char* why);

  std::shared_ptr<const settings> cfg_;
  broker& broker_;
  channel::hooks hooks_;
  gateway_stats& stats_;
  std::shared_ptr<spdlog::logger> log_;
  uint64_t next_serial_ = 1;

  std::unordered_map<peer_address, std::unique_ptr<channel>, peer_address_hash> by_addr_;
  std::unordered_map<uint64_t, peer_address> addr_of_;
  std::unordered_map<std::string, uint64_t> by_id_;  // client id -> serial
  std::set<std::pair<time_point, uint64_t>> timers_;
  std::unordered_map<uint64_t, time_point> scheduled_;
  std::optional<client_info> anonymous_;  // publisher of QoS -1 from unknown addresses
  bool anonymous_pending_ = false;        // its authenticate_async is under way

  std::vector<datagram> out_;
};

}  // namespace edgegw::mqttsn
