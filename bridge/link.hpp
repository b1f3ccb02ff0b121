// One bridge: an internal client of the local broker whose forwarded messages go to a
// durable spool, and a paho.mqtt.cpp client to the remote broker that drains the spool
// and subscribes remotely.
//
// Threads: everything but take() and the paho callbacks runs on one io_context of the
// pool (the link's executor). take() runs on publishers' threads and only appends to the
// spool (thread-safe, no disk wait). paho's callbacks run on paho's threads and only post
// to the executor, through a gate that is closed before the paho client goes away.
//
// Flow: local publish -> take() -> spool.append (the publisher's QoS 1/2 ack waits for
// on_durable) -> on_append posts pump() -> paho publish, tracked by the inflight window ->
// remote ack -> spool.ack(). A (re)connect restarts the window, so everything unacknowledged
// is sent again from the oldest (QoS 1: the remote may see duplicates).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "backoff.hpp"
#include "bridge_settings.hpp"
#include "bridge_status.hpp"
#include "bridge/spool/spool.hpp"
#include "gateway/api/asio.hpp"
#include "gateway/api/broker.hpp"
#include "inflight_window.hpp"

namespace mqtt {
class async_client;
class connect_options;
}  // namespace mqtt

namespace edgegw::bridge {

class link : public std::enable_shared_from_this<link> {
 public:
  link(bridge_settings s, broker& b, boost::asio::io_context& ctx, std::string node_name,
       std::chrono::milliseconds sys_interval);
  ~link();
  link(const link&) = delete;
  link& operator=(const link&) = delete;

  // Open the spool and the local session, then connect. Throws std::runtime_error.
  void start();
  // SIGTERM: disconnect, close the local session, flush the spool. Blocks for the flush.
  void stop();
  bridge_status status() const;
  const std::string& name() const { return s_.name; }
  // Publish the $SYS topics of this bridge now (any thread).
  void publish_sys();

  // From the local session's sink (publishers' threads).
  bool take(const message_ptr& msg, bool retain, const std::function<void()>* hold);
  void local_closed(close_reason reason);

 private:
  struct gate;
  struct listener;
  struct local_sink;

  void stop_here();
  void open_local();
  void new_client(uint64_t gen);
  void connect();
  void on_connected(uint64_t gen, uint16_t receive_maximum, bool session_present);
  void on_connect_failed(uint64_t gen, std::string why);
  void on_lost(uint64_t gen, std::string why);
  void retry_later();
  void subscribe_remote(uint64_t gen);
  void post_pump();
  void pump();
  void on_acks();
  void on_publish_failed(uint64_t seq, int rc, int reason);
  void deliver_local(message_ptr msg);
  void set_state(link_state st, const std::string& error);
  std::string describe(int rc, int reason);

  bridge_settings s_;
  broker& broker_;
  boost::asio::io_context& ctx_;
  const std::string node_;
  const std::chrono::milliseconds sys_interval_;
  std::shared_ptr<gate> gate_;
  bridge_counters counters_;

  std::unique_ptr<spool> spool_;
  std::shared_ptr<local_sink> sink_;
  client_info local_client_;
  client_info sys_client_;
  session_ptr session_;

  std::unique_ptr<mqtt::connect_options> conn_opts_;
  std::unique_ptr<listener> connect_listener_, publish_listener_, subscribe_listener_;
  std::unique_ptr<mqtt::async_client> client_;

  // Executor state.
  uint64_t gen_ = 0;  // connection attempt; callbacks of older ones are ignored
  bool connected_ = false;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> executor_live_{false};  // its io_context runs our handlers
  std::chrono::steady_clock::time_point connected_at_;
  inflight_window window_;
  backoff backoff_;
  std::mt19937 rng_{std::random_device{}()};
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer pump_timer_;  // retry after paho refused a publish
  std::chrono::steady_clock::time_point last_publish_error_log_{};
  std::vector<spool_entry> batch_;
  std::atomic<bool> pump_posted_{false};

  // Acks from paho's threads, taken in batches by on_acks().
  std::mutex acks_mu_;
  std::vector<uint64_t> acks_;
  // Last TLS error text from paho's OpenSSL callback (paho's threads).
  std::shared_ptr<class tls_probe> probe_;  // why the last TLS connect failed, under way
};

}  // namespace edgegw::bridge
