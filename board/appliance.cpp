// See appliance.hpp.
#include "appliance.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "gateway/api/log.hpp"

namespace edgegw::board {

std::string appliance::open(const config::values& cfg, const std::filesystem::path& leds_dir) {
  auto log = log::get("board");
  // systemd wants a kick within WatchdogSec; half of it leaves room for a slow moment.
  auto timeout = sd_watchdog_timeout();
  if (timeout.count() > 0 && notifier_.enabled())
    sd_period_ = std::max(std::chrono::milliseconds(1),
                          std::chrono::duration_cast<std::chrono::milliseconds>(timeout / 2));

  if (auto led = cfg.get_string("board.led"); !led.empty()) {
    std::filesystem::path dir =
        led.find('/') == std::string::npos ? leds_dir / led : std::filesystem::path(led);
    try {
      led_ = std::make_unique<status_led>(dir);
      led_->show(led_pattern::starting);
    } catch (const std::system_error& e) {
      log->warn("led_unavailable led={} reason=\"{}\"", dir.string(), e.code().message());
    }
  }

  watchdog_path_ = cfg.get_path("board.watchdog_device");
  watchdog_interval_ = cfg.get_duration("board.watchdog_interval");
  // Opening arms the watchdog, so that waits for ready(); a start that fails before then
  // must not reset the board. Here only whether it could be opened.
  if (!watchdog_path_.empty() && ::access(watchdog_path_.c_str(), W_OK) != 0)
    return "board.watchdog_device (" + cfg.origin_of("board.watchdog_device").str() +
           "): cannot open " + watchdog_path_.string() + ": " + std::strerror(errno);
  notifier_.notify("STATUS=starting\n");
  return {};
}

void appliance::ready(boost::asio::io_context& main, std::string_view extra) {
  auto log = log::get("board");
  running_ = true;
  if (!watchdog_path_.empty()) {
    try {
      watchdog_ = std::make_unique<hw_watchdog>(watchdog_path_);
      auto* wd = watchdog_.get();
      hw_kicker_ = std::make_unique<kicker>(main.get_executor(), watchdog_interval_, [wd, log] {
        if (!wd->kick()) log->error("watchdog_kick_failed reason=\"{}\"", std::strerror(errno));
      });
      hw_kicker_->start();
      log->info("watchdog_armed device={} interval_ms={}", watchdog_path_.string(),
                watchdog_interval_.count());
    } catch (const std::system_error& e) {
      log->error("watchdog_unavailable reason=\"{}\"", e.what());
    }
  }
  if (sd_period_.count() > 0) {
    sd_kicker_ = std::make_unique<kicker>(main.get_executor(), sd_period_,
                                          [this] { notifier_.notify("WATCHDOG=1\n"); });
    log->info("systemd_watchdog interval_ms={}", sd_period_.count());
  }
  if (led_) led_->show(led_pattern::running);
  std::string msg = "READY=1\nSTATUS=running\n";
  msg += extra;
  if (!msg.empty() && msg.back() != '\n') msg += '\n';
  notifier_.notify(msg);
  if (sd_kicker_) sd_kicker_->start();
}

void appliance::uplink(bool up) {
  if (!running_ || !led_) return;
  led_->show(up ? led_pattern::running : led_pattern::uplink_down);
}

void appliance::stopping() {
  running_ = false;
  // The kicks end here: the kickers' timers live on the main io_context, which goes away
  // before stopped(). A shutdown that then hangs is the hardware watchdog's to end.
  sd_kicker_.reset();
  hw_kicker_.reset();
  notifier_.notify("STOPPING=1\nSTATUS=stopping\n");
}

void appliance::stopped() {
  clean_ = true;
  running_ = false;
  if (watchdog_ && !watchdog_->disarm())
    log::get("board")->error("watchdog_disarm_failed reason=\"{}\"", std::strerror(errno));
  if (led_) led_->restore();
}

appliance::~appliance() {
  if (clean_) return;
  if (led_) led_->show(led_pattern::error);
  // The watchdog (if armed) closes without the magic 'V' and keeps counting.
}

}  // namespace edgegw::board
