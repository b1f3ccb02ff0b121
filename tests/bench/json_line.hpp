// A flat JSON object written as one line: the result format of edgegw_bench, which
// run_bench.py parses. Keys and string values are the tool's own (no escaping beyond quotes
// and backslashes is needed); non-finite numbers become null.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace edgegw::bench {

class json_line {
 public:
  json_line& add(std::string_view key, std::string_view value) {
    std::string quoted = "\"";
    for (char c : value) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    quoted += '"';
    return add_raw(key, quoted);
  }
  json_line& add(std::string_view key, const char* value) {
    return add(key, std::string_view(value));
  }
  json_line& add(std::string_view key, double value) {
    if (!std::isfinite(value)) return add_raw(key, "null");
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    return add_raw(key, buf);
  }
  json_line& add(std::string_view key, std::uint64_t value) {
    return add_raw(key, std::to_string(value));
  }
  json_line& add(std::string_view key, std::int64_t value) {
    return add_raw(key, std::to_string(value));
  }
  json_line& add(std::string_view key, int value) { return add_raw(key, std::to_string(value)); }
  json_line& add(std::string_view key, bool value) {
    return add_raw(key, value ? "true" : "false");
  }
  // `json` must already be valid JSON (an array or object built by the caller).
  json_line& add_raw(std::string_view key, std::string_view json) {
    text_ += text_.empty() ? "{\"" : ",\"";
    text_ += key;
    text_ += "\":";
    text_ += json;
    return *this;
  }

  std::string str() const { return text_.empty() ? "{}" : text_ + "}"; }

 private:
  std::string text_;
};

}  // namespace edgegw::bench
