// [board]: device integration (board/): profile, serial, status LED, hardware watchdog.
#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

void add_board_keys(std::vector<key_spec>& r) {
  const string_view s = "board";
  r.push_back(choice(s, "profile", "generic", "generic|raspberrypi|auto",
                     "Defaults for a kind of device (keys set here win): raspberrypi = 2 I/O "
                     "threads, persistence flushed every 1s, 10000 connections, LED ACT; auto "
                     "= raspberrypi on a Raspberry Pi, else generic."));
  r.push_back(text(s, "serial", "",
                   "Device serial used for ${serial}; empty = detected (device-tree "
                   "serial-number, /proc/cpuinfo Serial, /etc/machine-id)."));
  r.push_back(text(s, "led", "",
                   "Status LED: a name under /sys/class/leds (e.g. ACT) or its directory; "
                   "empty = none. Slow blink starting, on running, short flash uplink down, "
                   "fast blink error."));
  r.push_back(file(s, "watchdog_device", "",
                   "Hardware watchdog kicked while the main loop is healthy, e.g. "
                   "/dev/watchdog; empty = none. Disarmed on a clean stop."));
  r.push_back(duration(s, "watchdog_interval", "5s", 1s, 100, hour,
                       "How often the hardware watchdog is kicked; keep it well below the "
                       "driver's timeout (15s on a Raspberry Pi)."));
}

}  // namespace edgegw::config::detail
