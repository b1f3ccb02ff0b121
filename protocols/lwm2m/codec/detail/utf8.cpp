// UTF-8 checks and quoting for text that ends up in JSON.
#include "utf8.hpp"

#include <cstdint>

#include "gateway/api/topic.hpp"

namespace edgegw::lwm2m::detail {

bool valid_utf8(std::string_view s) noexcept {
  return edgegw::valid_utf8(s, /*allow_nul=*/true);
}

std::string quote(std::string_view s, std::size_t max) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = "'";
  std::size_t i = 0;
  while (i < s.size()) {
    if (i >= max) {
      out += "...";
      break;
    }
    // Length of the UTF-8 character starting here, if it is a valid one.
    std::size_t n = 1;
    const auto c = static_cast<uint8_t>(s[i]);
    if (c >= 0xF0)
      n = 4;
    else if (c >= 0xE0)
      n = 3;
    else if (c >= 0xC0)
      n = 2;
    if (n <= s.size() - i && valid_utf8(s.substr(i, n)) && (c < 0x80 || c >= 0xC0) && c >= 0x20) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 15];
      ++i;
    }
  }
  return out + "'";
}

}  // namespace edgegw::lwm2m::detail
