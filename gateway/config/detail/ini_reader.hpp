// Feeds text to inih's ini_parse_stream one physical line at a time, counting lines,
// because Debian's inih passes no line number to the handler and reports only the first
// syntax error. The reader itself reports every syntax error (missing ']', a line with
// no '='), and lines inih would mangle (too long for its buffer, NUL bytes, section
// names longer than its 50-byte buffer), then hands inih only well-formed key lines.
// Leading whitespace is dropped so an indented key is a key, not a continuation line.
#pragma once
#include <string>
#include <string_view>

namespace edgegw::config::detail {

class ini_events {
 public:
  virtual void on_section(std::string_view name, int line) = 0;  // trimmed, not validated
  virtual void on_bad_section(int line) = 0;  // malformed header, already reported
  virtual void on_key(std::string_view key, std::string_view value, int line) = 0;
  virtual void on_problem(int line, std::string message) = 0;
  virtual bool stopped() const = 0;  // true: stop reading (too many problems)

 protected:
  ~ini_events() = default;
};

void parse_ini(std::string_view text, ini_events& events);

}  // namespace edgegw::config::detail
