// DTLS pre-shared keys: the inline identity/key pair of the config and the lines of a
// psk_file ("identity:hexkey", '#' comments and blank lines allowed), checked at start-up
// so a bad file stops the gateway with FILE:LINE.
#pragma once
#include <map>
#include <string>
#include <string_view>

namespace edgegw::coap {

using psk_table = std::map<std::string, std::string, std::less<>>;  // identity -> raw key

// Adds the lines of `text` to `out`; returns "" or the first problem as "LINE: message".
std::string parse_psk_lines(std::string_view text, psk_table& out);

// Reads `path` into `out`; returns "" or "PATH:LINE: message" / "PATH: cannot read".
std::string load_psk_file(const std::string& path, psk_table& out);

}  // namespace edgegw::coap
