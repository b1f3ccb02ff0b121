// idle_conns: the "conns" scenario (see idle_conns.hpp).
#include "tests/bench/idle_conns.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "tests/bench/json_line.hpp"

namespace edgegw::bench {
namespace {

constexpr std::size_t conn_read_buffer = 16;  // CONNACK and PINGRESP only
constexpr std::size_t conns_per_source = 10000;
// Without a single CONNACK or failure for this long, the broker is stuck: stop trying.
constexpr auto stall_timeout = std::chrono::seconds(10);

enum : std::uint8_t { pending = 0, connected = 1, gone = 2 };

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

idle_conns::idle_conns(asio::io_context& io, const options& o)
    : io_(io), o_(o), stdin_(io), hold_timer_(io), ping_timer_(io), watchdog_(io) {}

std::optional<asio::ip::address> idle_conns::source_for(std::size_t i) const {
  if (source_count_ <= 1) return std::nullopt;
  const auto n = static_cast<unsigned>(2 + i % static_cast<std::size_t>(source_count_));
  return asio::ip::make_address_v4((127u << 24) | n);
}

std::string idle_conns::run(bool& ok) {
  error_code ec;
  const auto address = asio::ip::make_address(o_.host, ec);
  if (ec) {
    ok = false;
    return json_line().add("scenario", "conns").add("ok", false).add("error", "bad --host").str();
  }
  broker_ = tcp::endpoint(address, o_.port);
  const auto n = static_cast<std::size_t>(o_.connections);
  if (address.is_loopback() && address.is_v4()) {
    source_count_ = o_.source_addrs > 0
                        ? o_.source_addrs
                        : static_cast<int>((n + conns_per_source - 1) / conns_per_source);
  }
  status_.assign(n, pending);
  start_ = last_progress_ = clock::now();
  start_next();
  watch();
  io_.run();

  for (auto& c : conns_) c->disconnect();
  io_.restart();
  io_.run_for(std::chrono::seconds(5));

  const std::size_t held = connected_ - dropped_;
  if (first_error_.empty() && held != n) first_error_ = "not every connection was held";
  ok = first_error_.empty();
  json_line j;
  j.add("scenario", "conns").add("ok", ok);
  if (!ok) j.add("error", first_error_);
  j.add("requested", static_cast<std::uint64_t>(n));
  j.add("connected", static_cast<std::uint64_t>(connected_));
  j.add("held", static_cast<std::uint64_t>(held));
  j.add("refused", static_cast<std::uint64_t>(refused_));
  j.add("failed", static_cast<std::uint64_t>(failed_));
  j.add("dropped", static_cast<std::uint64_t>(dropped_));
  j.add("source_addrs", source_count_).add("keepalive", static_cast<int>(o_.keepalive));
  const double connect_s = seconds(ready_at_ - start_);
  j.add("connect_s", connect_s);
  j.add("conn_rate", connect_s > 0 ? static_cast<double>(connected_) / connect_s : NAN);
  j.add("hold_s", seconds(released_at_ - ready_at_));
  return j.str();
}

void idle_conns::start_next() {
  const auto n = static_cast<std::size_t>(o_.connections);
  const auto batch = static_cast<std::size_t>(o_.connect_batch);
  while (!giving_up_ && started_ < n && started_ - finished_ < batch) {
    const std::size_t i = started_++;
    conns_.push_back(std::make_unique<client>(io_, *this, i, conn_read_buffer));
    conns_.back()->start(broker_, source_for(i), o_.client_prefix + "-c" + std::to_string(i),
                         o_.keepalive);
  }
}

void idle_conns::attempt_done() {
  ++finished_;
  last_progress_ = clock::now();
  if (finished_ == static_cast<std::size_t>(o_.connections)) return hold();
  start_next();
}

void idle_conns::note_error(std::string what) {
  if (first_error_.empty()) first_error_ = std::move(what);
}

void idle_conns::on_connected(client& c, std::uint8_t return_code) {
  if (return_code != 0) {
    status_[c.index()] = gone;
    ++refused_;
    note_error("CONNACK return code " + std::to_string(return_code));
    c.close();
  } else {
    status_[c.index()] = connected;
    ++connected_;
  }
  attempt_done();
}

void idle_conns::on_frame(client& c, const wire::frame& f) {
  if (f.type() == wire::pingresp) return;
  note_error("unexpected packet type " + std::to_string(f.type()));
  status_[c.index()] = gone;
  ++dropped_;
  c.close();
}

void idle_conns::on_closed(client& c, const error_code& ec, std::string_view what) {
  note_error(std::string(what) + ": " + ec.message());
  const auto was = std::exchange(status_[c.index()], gone);
  if (was == connected) {
    ++dropped_;  // the broker closed an established connection
  } else if (was == pending) {
    ++failed_;
    attempt_done();
  }
}

// Gives up on a broker that stopped answering: pending attempts fail, the rest is not tried.
void idle_conns::watch() {
  watchdog_.expires_after(std::chrono::seconds(1));
  watchdog_.async_wait([this](const error_code& e) {
    if (e || holding_ || released_) return;
    if (clock::now() - last_progress_ < stall_timeout) return watch();
    note_error("no CONNACK for " + std::to_string(stall_timeout.count()) + " s; gave up after " +
               std::to_string(connected_) + " connections");
    giving_up_ = true;
    for (auto& c : conns_) {
      if (status_[c->index()] != pending) continue;
      status_[c->index()] = gone;
      c->close();
      ++failed_;
    }
    hold();
  });
}

void idle_conns::hold() {
  if (holding_) return;
  holding_ = true;
  ready_at_ = clock::now();
  watchdog_.cancel();
  std::printf("READY %zu\n", connected_ - dropped_);
  std::fflush(stdout);
  if (o_.keepalive > 0) ping_tick();
  if (o_.hold > 0) {
    hold_timer_.expires_after(
        std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o_.hold)));
    hold_timer_.async_wait([this](const error_code& e) {
      if (!e) release();
    });
    return;
  }
  error_code ec;
  stdin_.assign(::dup(STDIN_FILENO), ec);  // fails for a regular file: epoll cannot watch it
  if (ec) {
    note_error("stdin cannot be waited on (" + ec.message() + "); use a pipe or --hold");
    return release();
  }
  read_stdin();
}

void idle_conns::read_stdin() {
  stdin_.async_read_some(asio::buffer(stdin_buf_), [this](const error_code& e, std::size_t) {
    if (e) return release();  // EOF (or stdin gone): time to let go
    read_stdin();
  });
}

void idle_conns::release() {
  if (released_) return;
  released_ = true;
  released_at_ = clock::now();
  hold_timer_.cancel();
  ping_timer_.cancel();
  watchdog_.cancel();
  error_code ignored;
  stdin_.close(ignored);
  io_.stop();
}

void idle_conns::ping_tick() {
  if (released_) return;
  for (auto& c : conns_) {
    if (!c->is_connected()) continue;
    wire::append_pingreq(c->out());
    c->flush();
  }
  ping_timer_.expires_after(std::chrono::milliseconds(500) * o_.keepalive);
  ping_timer_.async_wait([this](const error_code& e) {
    if (!e) ping_tick();
  });
}

}  // namespace edgegw::bench
