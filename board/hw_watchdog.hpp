// A Linux hardware watchdog (/dev/watchdog, watchdog(4) API): opening the device arms it,
// every write restarts its countdown, and only a 'V' written just before close ("magic
// close") stops it. So a clean stop disarms it, while a hang, a crash or an exit on an
// error leaves it counting and the board resets unless systemd restarts edgegw in time.
// The device path is a parameter: tests use a regular file in a temporary directory.
#pragma once
#include <filesystem>
#include <string>

namespace edgegw::board {

class hw_watchdog {
 public:
  // Opens (arms) the device; throws std::system_error naming it when that fails.
  explicit hw_watchdog(const std::filesystem::path& device);
  // Closes without the magic character: the watchdog keeps counting.
  ~hw_watchdog();
  hw_watchdog(const hw_watchdog&) = delete;
  hw_watchdog& operator=(const hw_watchdog&) = delete;

  // Restarts the countdown; false when the write failed (logged by the caller).
  bool kick() noexcept;
  // Magic close: writes 'V' and closes, which stops the watchdog unless the driver was
  // built with nowayout. Further kicks are no-ops.
  bool disarm() noexcept;
  bool armed() const noexcept { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace edgegw::board
