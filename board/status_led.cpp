// See status_led.hpp.
#include "status_led.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

namespace edgegw::board {

namespace {
std::string read_line(const std::filesystem::path& p) {
  std::ifstream f(p);
  std::string line;
  std::getline(f, line);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  return line;
}

struct blink {
  int on_ms;
  int off_ms;
};
blink blink_of(led_pattern p) {
  switch (p) {
    case led_pattern::starting:
      return {500, 500};
    case led_pattern::uplink_down:
      return {100, 900};
    case led_pattern::error:
      return {100, 100};
    default:
      return {0, 0};
  }
}
}  // namespace

std::string_view to_string(led_pattern p) {
  switch (p) {
    case led_pattern::off:
      return "off";
    case led_pattern::starting:
      return "starting";
    case led_pattern::running:
      return "running";
    case led_pattern::uplink_down:
      return "uplink_down";
    case led_pattern::error:
      return "error";
  }
  return "?";
}

std::string active_trigger(std::string_view text) {
  auto open = text.find('[');
  auto close = text.find(']', open == std::string_view::npos ? 0 : open);
  if (open == std::string_view::npos || close == std::string_view::npos) return {};
  return std::string(text.substr(open + 1, close - open - 1));
}

status_led::status_led(std::filesystem::path dir) : dir_(std::move(dir)) {
  if (::access((dir_ / "brightness").c_str(), W_OK) != 0)
    throw std::system_error(errno, std::generic_category(),
                            "LED " + dir_.string() + " has no writable brightness");
  if (auto m = read_line(dir_ / "max_brightness"); !m.empty() && m != "0") max_brightness_ = m;
  saved_trigger_ = active_trigger(read_line(dir_ / "trigger"));
  saved_brightness_ = read_line(dir_ / "brightness");
}

bool status_led::write(std::string_view file, std::string_view value) const noexcept {
  // sysfs attributes: one write of the whole value, no O_CREAT (a missing file is an error).
  int fd = ::open((dir_ / file).c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0) return false;
  ssize_t n = ::write(fd, value.data(), value.size());
  bool ok = n == static_cast<ssize_t>(value.size());
  return ::close(fd) == 0 && ok;
}

bool status_led::show(led_pattern p) noexcept {
  current_ = p;
  auto b = blink_of(p);
  if (b.on_ms == 0) {
    bool ok = write("trigger", "none");
    return write("brightness", p == led_pattern::off ? "0" : max_brightness_) && ok;
  }
  // The timer trigger creates delay_on/delay_off; writing them then sets the rhythm.
  bool ok = write("trigger", "timer");
  ok = write("delay_on", std::to_string(b.on_ms)) && ok;
  return write("delay_off", std::to_string(b.off_ms)) && ok;
}

bool status_led::restore() noexcept {
  if (saved_trigger_.empty()) return show(led_pattern::off);
  current_ = led_pattern::off;
  bool ok = write("trigger", saved_trigger_);
  if (saved_trigger_ == "none" && !saved_brightness_.empty())
    ok = write("brightness", saved_brightness_) && ok;
  return ok;
}

}  // namespace edgegw::board
