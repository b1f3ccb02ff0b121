// Fuzz target for the psk_file parser (net::tls::parse_psk_lines): arbitrary bytes as a
// file. Besides not crashing: an accepted file holds only non-empty identities with keys of
// 1 to 64 bytes, and rendering it back as identity:hex lines parses to the same table.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/net/tls/psk_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace edgegw::net::tls;
  psk_table t;
  if (!parse_psk_lines(std::string_view(reinterpret_cast<const char*>(data), size), t).empty())
    return 0;
  std::string text;
  for (const auto& [id, key] : t) {
    if (id.empty() || key.empty() || key.size() > 64) std::abort();
    // Identities that would not survive a line of their own (newline, edge blanks, '#'
    // first) are not rendered back.
    if (id.find_first_of("\n\r") != std::string::npos || id.front() == '#' || id.front() == ' ' ||
        id.front() == '\t' || id.back() == ' ' || id.back() == '\t')
      return 0;
    text += id + ":";
    for (unsigned char c : key) {
      char hex[3];
      std::snprintf(hex, sizeof hex, "%02x", c);
      text += hex;
    }
    text += "\n";
  }
  psk_table again;
  if (!parse_psk_lines(text, again).empty() || again != t) std::abort();
  return 0;
}
