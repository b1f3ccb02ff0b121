// Calls a watchdog's kick on a timer of the main io_context. The main loop's health is the
// condition: when a handler blocks it (or the process hangs), the timer cannot fire, the
// kicks stop and the watchdog (systemd's or the hardware one) acts. Owner: the executor
// it is given; start() and stop() are called there.
#pragma once
#include <chrono>
#include <functional>
#include <memory>

#include "gateway/api/asio.hpp"

namespace edgegw::board {

class kicker {
 public:
  kicker(boost::asio::any_io_executor ex, std::chrono::milliseconds period,
         std::function<void()> kick);
  ~kicker();
  kicker(const kicker&) = delete;
  kicker& operator=(const kicker&) = delete;

  // Kicks at once, then every period.
  void start();
  void stop();

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace edgegw::board
