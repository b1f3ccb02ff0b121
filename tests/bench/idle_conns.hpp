// The "conns" scenario of edgegw_bench: open --connections idle MQTT connections, a batch at a
// time (each counts once its CONNACK arrives), print "READY <n>", hold them until stdin reaches
// EOF (or for --hold seconds) so run_bench.py can read the broker's memory meanwhile, then close
// them and report one JSON line. Beyond ~28,000 connections one source address runs out of
// ephemeral ports, so connections are spread over 127.0.0.2, 127.0.0.3, ...
// Owner: the single thread running the io_context.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/bench/client.hpp"
#include "tests/bench/options.hpp"

namespace edgegw::bench {

class idle_conns : public client::handler {
 public:
  idle_conns(asio::io_context& io, const options& o);

  // Runs to the end; returns the JSON result line. `ok` is false unless every connection was
  // accepted and held.
  std::string run(bool& ok);

 private:
  using clock = std::chrono::steady_clock;

  void on_connected(client& c, std::uint8_t return_code) override;
  void on_frame(client& c, const wire::frame& f) override;
  void on_closed(client& c, const error_code& ec, std::string_view what) override;

  void start_next();
  void attempt_done();
  void note_error(std::string what);
  void watch();
  void hold();
  void read_stdin();
  void release();
  void ping_tick();
  std::optional<asio::ip::address> source_for(std::size_t i) const;

  asio::io_context& io_;
  const options& o_;
  tcp::endpoint broker_;
  std::vector<std::unique_ptr<client>> conns_;
  std::vector<std::uint8_t> status_;  // per connection: pending, connected, gone
  asio::posix::stream_descriptor stdin_;
  asio::steady_timer hold_timer_;
  asio::steady_timer ping_timer_;
  asio::steady_timer watchdog_;
  char stdin_buf_[256];
  int source_count_ = 1;

  std::size_t started_ = 0;
  std::size_t finished_ = 0;  // attempts that ended in CONNACK or failure
  std::size_t connected_ = 0;
  std::size_t refused_ = 0;  // CONNACK with a non-zero return code
  std::size_t failed_ = 0;   // no CONNACK: connect error, closed, or given up
  std::size_t dropped_ = 0;  // closed by the broker after CONNACK
  std::string first_error_;
  bool giving_up_ = false;
  bool holding_ = false;
  bool released_ = false;
  clock::time_point start_;
  clock::time_point last_progress_;
  clock::time_point ready_at_;
  clock::time_point released_at_;
};

}  // namespace edgegw::bench
