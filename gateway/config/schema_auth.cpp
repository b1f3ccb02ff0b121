// [auth] allow/deny lists and the HTTP authentication hook (http_*; gateway/authn).
// allow_anonymous, password_file, acl_file and acl_nomatch stay in schema.cpp.
#include <arpa/inet.h>

#include <string>

#include "gateway/config/detail/schema_rows.hpp"

namespace edgegw::config::detail {

namespace {

// Each comma-separated item is an IPv4/IPv6 address with an optional /prefix.
string_view network_list_rule(string_view v) {
  while (!v.empty()) {
    auto comma = v.find(',');
    string_view item = v.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) {
      auto slash = item.find('/');
      std::string ip(item.substr(0, slash));
      unsigned char buf[16];
      const bool v4 = ::inet_pton(AF_INET, ip.c_str(), buf) == 1;
      if (!v4 && ::inet_pton(AF_INET6, ip.c_str(), buf) != 1)
        return "each item must be an IP address or a CIDR network (10.0.0.0/8, fd00::/8)";
      if (slash != string_view::npos) {
        string_view bits = item.substr(slash + 1);
        unsigned n = 0;
        if (bits.empty() || bits.size() > 3) return "bad prefix length after '/'";
        for (char c : bits) {
          if (c < '0' || c > '9') return "bad prefix length after '/'";
          n = n * 10 + static_cast<unsigned>(c - '0');
        }
        if (n > (v4 ? 32u : 128u)) return "prefix length too large";
      }
    }
    if (comma == string_view::npos) break;
    v.remove_prefix(comma + 1);
  }
  return {};
}

string_view http_url_rule(string_view v) {
  if (v.empty() || v.starts_with("http://")) return {};
  return "must be empty or an http:// URL (https is not supported)";
}

key_spec with_check(key_spec k, string_view (*rule)(string_view)) {
  k.check = rule;
  return k;
}

}  // namespace

void add_auth_keys(std::vector<key_spec>& r) {
  const string_view s = "auth";
  r.push_back(text(s, "deny_clientids", "",
                   "Client ids refused, comma-separated; '*' matches any run of characters."));
  r.push_back(text(s, "allow_clientids", "",
                   "If set, only client ids matching one of these ('*' globs) may connect."));
  r.push_back(text(s, "deny_usernames", "", "Usernames refused, comma-separated '*' globs."));
  r.push_back(text(s, "allow_usernames", "",
                   "If set, only usernames matching one of these may connect (clients without "
                   "a username are refused too)."));
  r.push_back(with_check(text(s, "deny_addresses", "",
                              "Peer addresses refused: IPs or CIDR networks, v4 and v6, "
                              "comma-separated."),
                         network_list_rule));
  r.push_back(with_check(text(s, "allow_addresses", "",
                              "If set, only peers inside one of these IPs/CIDR networks may "
                              "connect."),
                         network_list_rule));
}

void add_auth_http_keys(std::vector<key_spec>& r) {
  const string_view s = "auth";
  r.push_back(with_check(text(s, "http_url", "",
                              "POST {clientid, username, password, peerhost, protocol} as JSON "
                              "here; the answer {\"result\": \"allow|deny|ignore\", "
                              "\"is_superuser\": bool} decides. Empty: no hook."),
                         http_url_rule));
  r.push_back(duration(s, "http_timeout", "5s", 1s, 100, minute,
                       "An HTTP hook that has not answered by then counts as \"ignore\"."));
  r.push_back(duration(s, "http_cache_ttl", "1m", 1s, 0, day,
                       "How long a hook answer is reused for the same credentials; 0: no cache."));
  r.push_back(integer(s, "http_cache_max", "10000", 1, unlimited_count,
                      "Most hook answers kept; the oldest go first."));
}

}  // namespace edgegw::config::detail
