// See hw_watchdog.hpp.
#include "hw_watchdog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace edgegw::board {

namespace {
bool write_byte(int fd, char c) noexcept {
  for (;;) {
    ssize_t n = ::write(fd, &c, 1);
    if (n == 1) return true;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
}
}  // namespace

hw_watchdog::hw_watchdog(const std::filesystem::path& device) {
  fd_ = ::open(device.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd_ < 0)
    throw std::system_error(errno, std::generic_category(),
                            "cannot open watchdog " + device.string());
}

hw_watchdog::~hw_watchdog() {
  if (fd_ >= 0) ::close(fd_);
}

bool hw_watchdog::kick() noexcept {
  // Any byte other than 'V' is a plain keep-alive.
  return fd_ >= 0 && write_byte(fd_, '\0');
}

bool hw_watchdog::disarm() noexcept {
  if (fd_ < 0) return false;
  bool ok = write_byte(fd_, 'V');
  ok = ::close(fd_) == 0 && ok;
  fd_ = -1;
  return ok;
}

}  // namespace edgegw::board
