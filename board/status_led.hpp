// The status LED, through the kernel's LED class (/sys/class/leds/NAME). Blinking uses the
// kernel "timer" trigger (delay_on/delay_off in ms), so edgegw never wakes up for the LED;
// "running" is the LED on steadily. The trigger found when opening (e.g. "mmc0" for a
// Raspberry Pi's ACT LED) is put back on a clean stop. The directory is a parameter:
// tests use a fake one in a temporary directory.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace edgegw::board {

enum class led_pattern {
  off,
  starting,     // slow blink, 500 ms on / 500 ms off
  running,      // steady on
  uplink_down,  // a short flash each second, 100 ms on / 900 ms off
  error,        // fast blink, 100 ms on / 100 ms off
};

std::string_view to_string(led_pattern p);

class status_led {
 public:
  // `dir` is the LED's sysfs directory; throws std::system_error when it has no writable
  // brightness file.
  explicit status_led(std::filesystem::path dir);
  status_led(const status_led&) = delete;
  status_led& operator=(const status_led&) = delete;

  // False when sysfs refused a write (e.g. a kernel without the timer trigger).
  bool show(led_pattern p) noexcept;
  led_pattern current() const noexcept { return current_; }
  // Puts back the trigger (and, for "none", the brightness) found when opening.
  bool restore() noexcept;

 private:
  bool write(std::string_view file, std::string_view value) const noexcept;

  std::filesystem::path dir_;
  std::string max_brightness_ = "1";
  std::string saved_trigger_;     // "" when the trigger file was unreadable
  std::string saved_brightness_;  // restored with trigger "none"
  led_pattern current_ = led_pattern::off;
};

// The trigger shown in brackets in a sysfs "trigger" file: "none [mmc0] timer" -> "mmc0".
std::string active_trigger(std::string_view trigger_file_text);

}  // namespace edgegw::board
