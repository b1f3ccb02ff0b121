// systemd's notification protocol (sd_notify(3)) without libsystemd: one datagram per
// state change to the AF_UNIX socket named by $NOTIFY_SOCKET ("@name" = abstract). Used for
// READY=1, STATUS=, STOPPING=1 and WATCHDOG=1; the test harness reads the same socket to learn
// when edgegw is ready and which ports it bound.
#pragma once
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

}  // namespace edgegw::board
