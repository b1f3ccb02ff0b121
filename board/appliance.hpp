// The board side of the gateway's life, for gateway/app: systemd notification (READY=1,
// STATUS=, STOPPING=1, WATCHDOG=1 every WatchdogSec/2), the hardware watchdog and the
// status LED, configured by [board]. Watchdogs are kicked from timers on the main
// io_context, so they stop being kicked when the main loop stops being healthy.
// If the object goes away without stopped(), start-up failed or the run ended badly: the
// LED shows the error pattern and the hardware watchdog is left counting.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "board/hw_watchdog.hpp"
#include "board/kicker.hpp"
#include "board/sd_notify.hpp"
#include "board/status_led.hpp"
#include "gateway/api/asio.hpp"
#include "gateway/config/config.hpp"

namespace edgegw::board {

class appliance {
 public:
  appliance() = default;
  ~appliance();
  appliance(const appliance&) = delete;
  appliance& operator=(const appliance&) = delete;

  // Reads [board] and $NOTIFY_SOCKET/$WATCHDOG_USEC, opens the LED (a missing LED is
  // logged, not fatal) and checks the watchdog device is writable. Returns "" or a one-line
  // reason not to start. `leds_dir` is /sys/class/leds except in tests.
  std::string open(const config::values& cfg,
                   const std::filesystem::path& leds_dir = "/sys/class/leds");
  // READY=1 with STATUS and `extra` lines; LED running; arms the hardware watchdog and
  // starts kicking both watchdogs on `main`.
  void ready(boost::asio::io_context& main, std::string_view extra);
  // LED pattern for the uplink (a bridge); ignored before ready() and after stopping().
  void uplink(bool up);
  // STOPPING=1; the watchdog kicks end (called on the main io_context, which must still
  // run). The clean shutdown must then finish within the hardware watchdog's timeout.
  void stopping();
  // After a clean shutdown: disarm the hardware watchdog (magic close), restore the LED.
  void stopped();

  std::chrono::milliseconds sd_watchdog_period() const { return sd_period_; }

 private:
  sd_notifier notifier_;
  std::chrono::milliseconds sd_period_{0};
  std::filesystem::path watchdog_path_;
  std::chrono::milliseconds watchdog_interval_{0};
  std::unique_ptr<hw_watchdog> watchdog_;
  std::unique_ptr<status_led> led_;
  std::unique_ptr<kicker> sd_kicker_;
  std::unique_ptr<kicker> hw_kicker_;
  bool running_ = false;
  bool clean_ = false;
};

}  // namespace edgegw::board
