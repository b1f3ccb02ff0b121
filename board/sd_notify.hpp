// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram per
// state change to the AF_UNIX socket named by $NOTIFY_SOCKET ("@name" = abstract). Used for
// READY=1, STATUS=, STOPPING=1 and WATCHDOG=1; the test harness reads the same socket to learn
// when edgegw is ready and which ports it bound.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>

namespace edgegw::board {

class sd_notifier {
 public:
  // Reads $NOTIFY_SOCKET once; without it every notify() is a no-op returning false.
  sd_notifier();
  explicit sd_notifier(std::string socket_path);
  bool enabled() const noexcept { return !path_.empty(); }
  // Sends `state` (newline-separated VAR=value lines). Never blocks, never throws.
  bool notify(std::string_view state) const noexcept;

 private:
  std::string path_;
};

// The period at which systemd expects WATCHDOG=1 (sd_watchdog_enabled(3)): $WATCHDOG_USEC,
// when $WATCHDOG_PID is unset or names this process; zero when systemd watches nothing.
// The caller kicks at half of it. Arguments are the two variables' values (null = unset).
std::chrono::microseconds sd_watchdog_timeout(const char* watchdog_usec, const char* watchdog_pid,
                                              pid_t self);
// Same, from this process's environment.
std::chrono::microseconds sd_watchdog_timeout();

}  // namespace edgegw::board
