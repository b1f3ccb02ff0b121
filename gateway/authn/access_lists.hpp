// Allow and deny lists by client id, username (`*` globs) and peer address (IPs and CIDRs,
// v4 and v6). A match on a deny list refuses; a non-empty allow list admits only clients
// that match it, who then go on to the credential checks (an allow list never skips them).
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgegw::authn {

// `*` matches any run of characters (also none); everything else is literal.
bool glob_match(std::string_view pattern, std::string_view text);

// An IPv4 or IPv6 network. IPv4 is kept as IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n) so one
// comparison serves both and a v4 client on a dual-stack socket matches v4 rules.
struct ip_network {
  std::array<uint8_t, 16> addr{};
  unsigned prefix = 128;
};
// "10.0.0.0/8", "192.168.1.7", "fd00::/8", "::1". nullopt when not an address.
std::optional<ip_network> parse_network(std::string_view text);
// An address without a prefix; accepts "ip:port" and "[v6]:port" as peers are written.
std::optional<std::array<uint8_t, 16>> parse_peer_address(std::string_view peer);
bool contains(const ip_network& net, const std::array<uint8_t, 16>& addr);

struct access_lists {
  std::vector<std::string> deny_clientids, allow_clientids;
  std::vector<std::string> deny_usernames, allow_usernames;
  std::vector<ip_network> deny_addresses, allow_addresses;

  bool empty() const noexcept;
  // nullopt: go on; otherwise why the client is refused (for the log).
  std::optional<std::string> refuse(std::string_view client_id,
                                    const std::optional<std::string>& username,
                                    std::string_view peer) const;
};

// Splits a comma-separated list, trimming blanks and dropping empty items.
std::vector<std::string> split_list(std::string_view text);
// Parses a list of networks; "" or the first bad item.
std::string parse_networks(std::string_view text, std::vector<ip_network>& out);

}  // namespace edgegw::authn
