// A TCP listener: binds HOST:PORT (IPv4 or IPv6; port 0 picks a free one), accepts on the
// main context and hands each socket, already bound to a context of the pool, to the
// protocol's accept handler. Enforces the listener's max_connections before any protocol
// work: a refused socket is closed at once and counted. An optional connection rate
// (token bucket) delays accepting instead: the kernel backlog holds new clients meanwhile.
// Owner: the main io_context (accept loop); the connection counter is atomic because
// connections end on their own threads.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "gateway/api/asio.hpp"
#include "io_pool.hpp"
#include "token_bucket.hpp"

namespace edgegw::net {

// Released (destroyed) when the connection ends: gives the slot back to its listener.
using connection_token = std::shared_ptr<void>;

class tcp_listener : public std::enable_shared_from_this<tcp_listener> {
 public:
  using accept_handler = std::function<void(boost::asio::ip::tcp::socket, connection_token)>;

  // Throws std::system_error with a one-line reason when the address cannot be bound.
  tcp_listener(io_pool& pool, std::string name, const std::string& host, uint16_t port,
               std::size_t max_connections, accept_handler on_accept);

  // Accept at most `per_second` connections per second (burst: one second's worth);
  // 0 = unlimited. Call before start().
  void set_max_conn_rate(double per_second);
  void start();
  void stop();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
  const std::string& name() const { return name_; }
  std::size_t connections() const { return active_->load(); }
  uint64_t refused() const { return refused_; }
  // Times accepting paused for the connection rate.
  uint64_t rate_paused() const { return rate_paused_; }

 private:
  void accept_next();

  io_pool& pool_;
  std::string name_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::size_t max_connections_;
  accept_handler on_accept_;
  std::shared_ptr<std::atomic<std::size_t>> active_ = std::make_shared<std::atomic<std::size_t>>(0);
  uint64_t refused_ = 0;
  token_bucket conn_rate_;
  uint64_t rate_paused_ = 0;
  // The pause's timer is owned by its own handler (so it never outlives its io_context);
  // this is only to cancel it on stop().
  std::weak_ptr<boost::asio::steady_timer> rate_timer_;
  bool stopped_ = false;
};

// "0.0.0.0", "::", "" (= all, dual stack), "localhost", "127.0.0.1", "::1" -> address.
boost::asio::ip::address parse_host(const std::string& host);
// "127.0.0.1:1883" / "[::1]:1883"
std::string to_string(const boost::asio::ip::tcp::endpoint& ep);
std::string to_string(const boost::asio::ip::udp::endpoint& ep);

}  // namespace edgegw::net
