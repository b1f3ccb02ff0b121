// See access_lists.hpp.
#include "gateway/authn/access_lists.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace edgegw::authn {

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative wildcard match with one backtrack point: linear in practice, no recursion.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (pi < p.size() && p[pi] == t[ti]) {
      ++pi;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

namespace {

std::optional<std::array<uint8_t, 16>> parse_ip(std::string_view text, bool* v4) {
  if (text.empty() || text.size() > 63) return std::nullopt;
  std::string s(text);
  std::array<uint8_t, 16> a{};
  in_addr a4{};
  if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    a[10] = a[11] = 0xff;
    std::memcpy(a.data() + 12, &a4, 4);
    if (v4) *v4 = true;
    return a;
  }
  in6_addr a6{};
  if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(a.data(), &a6, 16);
    if (v4) *v4 = false;
    return a;
  }
  return std::nullopt;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<ip_network> parse_network(std::string_view text) {
  text = trim(text);
  auto slash = text.find('/');
  bool v4 = false;
  auto addr = parse_ip(text.substr(0, slash), &v4);
  if (!addr) return std::nullopt;
  ip_network n;
  n.addr = *addr;
  n.prefix = 128;
  if (slash != std::string_view::npos) {
    std::string_view bits = text.substr(slash + 1);
    unsigned p = 0;
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), p);
    if (bits.empty() || ec != std::errc{} || end != bits.data() + bits.size() ||
        p > (v4 ? 32u : 128u))
      return std::nullopt;
    n.prefix = v4 ? 96 + p : p;
  }
  // Clear host bits so equal networks compare equal and contains() is a plain prefix test.
  for (unsigned i = n.prefix; i < 128; ++i)
    n.addr[i / 8] &= static_cast<uint8_t>(~(0x80u >> (i % 8)));
  return n;
}

std::optional<std::array<uint8_t, 16>> parse_peer_address(std::string_view peer) {
  if (!peer.empty() && peer.front() == '[') {
    auto close = peer.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_ip(peer.substr(1, close - 1), nullptr);
  }
  // "a.b.c.d:port", or a bare address (v6 without brackets has several colons).
  if (auto a = parse_ip(peer, nullptr)) return a;
  auto colon = peer.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return parse_ip(peer.substr(0, colon), nullptr);
}

bool contains(const ip_network& net, const std::array<uint8_t, 16>& addr) {
  unsigned full = net.prefix / 8, rest = net.prefix % 8;
  if (std::memcmp(net.addr.data(), addr.data(), full) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xff00u >> rest);
  return (addr[full] & mask) == net.addr[full];
}

bool access_lists::empty() const noexcept {
  return deny_clientids.empty() && allow_clientids.empty() && deny_usernames.empty() &&
         allow_usernames.empty() && deny_addresses.empty() && allow_addresses.empty();
}

namespace {
bool any_glob(const std::vector<std::string>& pats, std::string_view s) {
  for (const auto& p : pats)
    if (glob_match(p, s)) return true;
  return false;
}
bool any_net(const std::vector<ip_network>& nets, const std::optional<std::array<uint8_t, 16>>& a) {
  if (!a) return false;
  for (const auto& n : nets)
    if (contains(n, *a)) return true;
  return false;
}
}  // namespace

std::optional<std::string> access_lists::refuse(std::string_view client_id,
                                                const std::optional<std::string>& username,
                                                std::string_view peer) const {
  if (any_glob(deny_clientids, client_id)) return "deny_clientids";
  if (username && any_glob(deny_usernames, *username)) return "deny_usernames";
  const auto addr =
      deny_addresses.empty() && allow_addresses.empty() ? std::nullopt : parse_peer_address(peer);
  if (any_net(deny_addresses, addr)) return "deny_addresses";
  if (!allow_clientids.empty() && !any_glob(allow_clientids, client_id)) return "allow_clientids";
  if (!allow_usernames.empty() && !(username && any_glob(allow_usernames, *username)))
    return "allow_usernames";
  if (!allow_addresses.empty() && !any_net(allow_addresses, addr)) return "allow_addresses";
  return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string parse_networks(std::string_view text, std::vector<ip_network>& out) {
  for (const auto& item : split_list(text)) {
    auto n = parse_network(item);
    if (!n) return "'" + item + "' is not an IP address or CIDR network";
    out.push_back(*n);
  }
  return {};
}

}  // namespace edgegw::authn
