// See tcp_listener.hpp.
#include "tcp_listener.hpp"

#include <spdlog/spdlog.h>

#include <system_error>

#include "gateway/api/log.hpp"

namespace edgegw::net {

namespace asio = boost::asio;
using asio::ip::tcp;

asio::ip::address parse_host(const std::string& host) {
  if (host.empty() || host == "*") return asio::ip::address_v6::any();
  if (host == "localhost") return asio::ip::address_v4::loopback();
  boost::system::error_code ec;
  auto a = asio::ip::make_address(host, ec);
  if (ec) throw std::system_error(EINVAL, std::generic_category(), "bad address '" + host + "'");
  return a;
}

std::string to_string(const tcp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6() && !a.to_v6().is_v4_mapped())
    return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  if (a.is_v6())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string() + ":" +
           std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

std::string to_string(const asio::ip::udp::endpoint& ep) {
  return to_string(tcp::endpoint(ep.address(), ep.port()));
}

tcp_listener::tcp_listener(io_pool& pool, std::string name, const std::string& host, uint16_t port,
                           std::size_t max_connections, accept_handler on_accept)
    : pool_(pool),
      name_(std::move(name)),
      acceptor_(pool.main()),
      max_connections_(max_connections),
      on_accept_(std::move(on_accept)) {
  tcp::endpoint ep(parse_host(host), port);
  boost::system::error_code ec;
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && ep.address().is_v6() && host.empty())
    acceptor_.set_option(asio::ip::v6_only(false), ec);  // "" = dual stack
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::system_error(ec.value(), std::system_category(),
                            "listener " + name_ + " cannot listen on " + host + ":" +
                                std::to_string(port) + ": " + ec.message());
}

void tcp_listener::set_max_conn_rate(double per_second) {
  conn_rate_ = token_bucket(per_second, per_second, token_bucket::clock::now());
}

void tcp_listener::start() {
  accept_next();
}

void tcp_listener::stop() {
  stopped_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  if (auto t = rate_timer_.lock()) t->cancel();
}

void tcp_listener::accept_next() {
  if (stopped_) return;
  auto& ctx = pool_.next();
  acceptor_.async_accept(ctx, [self = shared_from_this()](boost::system::error_code ec,
                                                          tcp::socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || self->stopped_) return;
      // EMFILE and friends: log, back off a little so we do not spin, and keep accepting.
      log::get("net")->warn("accept_failed listener={} error={}", self->name_, ec.message());
      auto t = std::make_shared<asio::steady_timer>(self->acceptor_.get_executor(),
                                                    std::chrono::milliseconds(100));
      t->async_wait([self, t](boost::system::error_code) { self->accept_next(); });
      return;
    }
    if (self->active_->load() >= self->max_connections_) {
      ++self->refused_;
      log::get("net")->info("connection_refused listener={} reason=max_connections", self->name_);
      sock.close(ec);
    } else {
      self->active_->fetch_add(1);
      connection_token token(nullptr, [active = self->active_](void*) { active->fetch_sub(1); });
      self->on_accept_(std::move(sock), std::move(token));
    }
    // Over the connection rate: stop accepting until the bucket has credit again.
    const auto now = token_bucket::clock::now();
    self->conn_rate_.consume(1, now);
    if (const auto wait = self->conn_rate_.until_credit(now); wait.count() > 0) {
      ++self->rate_paused_;
      log::get("net")->debug("accept_paused listener={} reason=max_conn_rate wait_ms={}",
                             self->name_,
                             std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
      auto t = std::make_shared<asio::steady_timer>(self->acceptor_.get_executor(), wait);
      self->rate_timer_ = t;
      t->async_wait([weak = std::weak_ptr<tcp_listener>(self), t](boost::system::error_code e) {
        if (auto live = weak.lock(); live && !e) live->accept_next();
      });
      return;
    }
    self->accept_next();
  });
}

}  // namespace edgegw::net
