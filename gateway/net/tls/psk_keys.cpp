// See psk_keys.hpp.
#include "gateway/net/tls/psk_keys.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edgegw::net::tls {

namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string parse_psk_lines(std::string_view text, psk_table& out) {
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    const std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    // The key is after the last ':', so an identity may hold ':' itself.
    const auto colon = line.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return std::to_string(line_no) + ": expected identity:hexkey";
    const auto id = trim(line.substr(0, colon));
    if (id.empty()) return std::to_string(line_no) + ": empty identity";
    const auto hex = trim(line.substr(colon + 1));
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 128)
      return std::to_string(line_no) + ": key must be 1 to 64 bytes in hex";
    std::string key;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      const int hi = hexval(hex[i]);
      const int lo = hexval(hex[i + 1]);
      if (hi < 0 || lo < 0) return std::to_string(line_no) + ": key is not hex";
      key.push_back(static_cast<char>(hi * 16 + lo));
    }
    out[std::string(id)] = std::move(key);
  }
  return {};
}

std::string load_psk_file(const std::string& path, psk_table& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return path + ": cannot read: " + std::strerror(errno);
  std::ostringstream ss;
  ss << f.rdbuf();
  auto why = parse_psk_lines(ss.str(), out);
  return why.empty() ? why : path + ":" + why;
}

}  // namespace edgegw::net::tls
