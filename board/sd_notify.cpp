// See sd_notify.hpp.
#include "sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace edgegw::board {

namespace {
// A whole decimal number, or nothing (sd_watchdog_enabled rejects trailing junk too).
bool parse_u64(const char* s, std::uint64_t& out) {
  if (s == nullptr || *s == '\0') return false;
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, out);
  return ec == std::errc{} && p == end;
}
}  // namespace

sd_notifier::sd_notifier() {
  if (const char* p = std::getenv("NOTIFY_SOCKET")) path_ = p;
}

sd_notifier::sd_notifier(std::string socket_path) : path_(std::move(socket_path)) {}

bool sd_notifier::notify(std::string_view state) const noexcept {
  if (path_.empty() || path_.size() >= sizeof(sockaddr_un::sun_path)) return false;
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path_.data(), path_.size());
  if (addr.sun_path[0] == '@') addr.sun_path[0] = '\0';  // abstract namespace
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path_.size());
  ssize_t n = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<const sockaddr*>(&addr), len);
  ::close(fd);
  return n == static_cast<ssize_t>(state.size());
}

std::chrono::microseconds sd_watchdog_timeout(const char* watchdog_usec, const char* watchdog_pid,
                                              pid_t self) {
  std::uint64_t usec = 0;
  if (!parse_u64(watchdog_usec, usec) || usec == 0) return {};
  if (watchdog_pid != nullptr) {
    std::uint64_t pid = 0;
    if (!parse_u64(watchdog_pid, pid) || pid != static_cast<std::uint64_t>(self)) return {};
  }
  // A value beyond what a duration holds is as good as "no watchdog".
  if (usec > static_cast<std::uint64_t>(std::chrono::microseconds::max().count())) return {};
  return std::chrono::microseconds(static_cast<std::int64_t>(usec));
}

std::chrono::microseconds sd_watchdog_timeout() {
  return sd_watchdog_timeout(std::getenv("WATCHDOG_USEC"), std::getenv("WATCHDOG_PID"), ::getpid());
}

}  // namespace edgegw::board
