// The status LED's "uplink down" pattern from the bridges' state: a probe says whether
// every enabled uplink (bridge) is connected; the uplink is shown down once it has been
// not connected for longer than `grace` (so a quick reconnect does not flash the LED, a
// reconnect back-off does) and up again at the first probe that finds it connected.
// The board knows nothing of bridges: the app passes the probe (gateway/app/ops_service).
#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "board/kicker.hpp"
#include "gateway/api/asio.hpp"

namespace edgegw::board {

// The decision alone (time injected, no I/O).
class uplink_tracker {
 public:
  using clock = std::chrono::steady_clock;
  explicit uplink_tracker(std::chrono::milliseconds grace) : grace_(grace) {}
  // `up`: every uplink connected now. Returns the state to show when it changes.
  std::optional<bool> update(bool up, clock::time_point now);
  bool shown_up() const noexcept { return shown_up_; }

 private:
  std::chrono::milliseconds grace_;
  std::optional<clock::time_point> down_since_;
  bool shown_up_ = true;  // the LED starts as "running"
};

// Polls the probe every `period` on `ex` (the main io_context) and calls `show` with each
// change. Owner: that executor; start() and stop() are called there.
class uplink_monitor {
 public:
  uplink_monitor(boost::asio::any_io_executor ex, std::chrono::milliseconds period,
                 std::chrono::milliseconds grace, std::function<bool()> probe,
                 std::function<void(bool)> show);
  void start() { kicker_.start(); }
  void stop() { kicker_.stop(); }

 private:
  uplink_tracker tracker_;
  std::function<bool()> probe_;
  std::function<void(bool)> show_;
  kicker kicker_;
};

}  // namespace edgegw::board
