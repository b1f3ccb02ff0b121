// The fan-in, fan-out and latency scenarios of edgegw_bench. Subscribers connect and subscribe
// first, then publishers connect, then traffic flows for --warmup + --duration seconds.
// "MARK start" / "MARK end" on stdout bracket the measured window, so run_bench.py samples the
// broker's CPU time exactly there. Publishers either flood (QoS 0: a bounded write queue,
// double-buffered; QoS 1: a window of unacknowledged messages) or are paced by one 1 ms timer at
// a fixed total rate (latency). After the window, the run waits for the last deliveries, then
// reports one JSON line. Owner: the single thread running the io_context.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/bench/client.hpp"
#include "tests/bench/options.hpp"
#include "tests/bench/seq_tracker.hpp"
#include "tests/bench/wire.hpp"

namespace edgegw::bench {

class traffic_run : public client::handler {
 public:
  traffic_run(asio::io_context& io, const options& o);

  // Runs the scenario to the end; returns the JSON result line. `ok` is false on failure (the
  // line then has an "error" key).
  std::string run(bool& ok);

 private:
  using clock = std::chrono::steady_clock;
  enum class phase { setup, warmup, measuring, draining, done };

  struct publisher_state {
    std::uint64_t generated = 0;  // stamped and queued
    std::uint64_t acked = 0;      // QoS 1
    std::uint32_t inflight = 0;   // QoS 1: queued or sent, not yet acknowledged
    // QoS 0 flood window: blocked while `window` messages are not yet seen by every subscriber.
    bool blocked = false;
    std::uint64_t floor = 0;        // below this, given up on after a stall (dropped)
    bool blocked_at_check = false;  // state at the previous stall check
    std::uint64_t level_at_check = 0;
  };

  void on_connected(client& c, std::uint8_t return_code) override;
  void on_frame(client& c, const wire::frame& f) override;
  void on_drained(client& c) override;
  void on_read_done(client& c) override;
  void on_closed(client& c, const error_code& ec, std::string_view what) override;

  void on_delivery(client& sub, const wire::frame& f);
  void start_publishers();
  void begin_traffic();
  bool sending() const { return phase_ == phase::warmup || phase_ == phase::measuring; }
  void fill(std::size_t pub);
  void queue_one(std::size_t pub);
  std::uint64_t seen_level(std::size_t pub) const;
  void stall_tick();
  void pace_tick();
  void mark_start();
  void mark_end();
  void drain_tick();
  void ping_tick();
  void finish(std::string error);
  std::uint64_t total_written() const;
  std::uint64_t total_acked() const;
  bool all_delivered() const;
  std::string result_json() const;
  std::string client_name(const client& c) const;

  asio::io_context& io_;
  const options& o_;
  bool paced_;  // latency: fixed rate instead of flooding
  tcp::endpoint broker_;
  std::vector<std::unique_ptr<client>> subs_;
  std::vector<std::unique_ptr<client>> pubs_;
  std::vector<wire::publish_template> templates_;  // one per publisher
  std::vector<publisher_state> pub_;
  std::vector<std::uint64_t> sub_received_;
  std::vector<seq_tracker> trackers_;  // one per publisher when there is one subscriber
  std::vector<std::vector<std::uint64_t>> seen_upto_;  // [subscriber][publisher]: max seq + 1
  std::vector<std::uint64_t> latencies_ns_;

  asio::steady_timer phase_timer_;
  asio::steady_timer pace_timer_;
  asio::steady_timer drain_timer_;
  asio::steady_timer ping_timer_;
  asio::steady_timer stall_timer_;
  phase phase_ = phase::setup;
  std::size_t subs_ready_ = 0;
  std::size_t pubs_ready_ = 0;
  std::string error_;

  clock::time_point traffic_start_;
  clock::time_point next_tick_;
  std::uint64_t paced_total_ = 0;  // messages due so far (sent or skipped)
  std::uint64_t skipped_ = 0;      // paced messages dropped because a socket stayed full
  std::uint64_t window_stalls_ = 0;

  clock::time_point window_start_;
  clock::time_point window_end_;
  std::uint64_t window_start_ns_ = 0;
  std::uint64_t window_end_ns_ = UINT64_MAX;
  std::uint64_t written_at_start_ = 0, written_at_end_ = 0;
  std::uint64_t received_at_start_ = 0, received_at_end_ = 0;
  std::uint64_t acked_at_start_ = 0, acked_at_end_ = 0;
  double cpu_at_start_ = 0, cpu_at_end_ = 0;

  std::uint64_t received_ = 0;
  std::uint64_t foreign_ = 0;  // deliveries without a valid stamp of this run
  clock::time_point drain_start_;
  clock::time_point last_progress_;
  std::uint64_t progress_mark_ = 0;
};

}  // namespace edgegw::bench
