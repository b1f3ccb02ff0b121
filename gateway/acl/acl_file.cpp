// See acl_file.hpp: the parser of ACL files and the evaluation of the parsed rules.
#include "gateway/acl/acl_file.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gateway/acl/detail/topic_relation.hpp"
#include "gateway/api/topic.hpp"

namespace edgegw::acl {

namespace {

constexpr std::uintmax_t max_file_bytes = 16 * 1024 * 1024;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits off the first blank-separated word; `rest` gets the trimmed remainder.
std::string_view first_word(std::string_view s, std::string_view* rest) {
  auto end = s.find_first_of(" \t");
  std::string_view w = s.substr(0, end);
  *rest = end == std::string_view::npos ? std::string_view{} : trim(s.substr(end));
  return w;
}

std::optional<rule> access_rule(std::string_view word) {
  rule r;
  if (word == "read")
    r.access = may_read;
  else if (word == "write")
    r.access = may_write;
  else if (word == "readwrite")
    r.access = may_readwrite;
  else if (word == "deny")
    r.deny = true;
  else
    return std::nullopt;
  return r;
}

// Replaces %c and %u; `out` is reused between calls.
void expand(std::string_view t, const subject& who, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '%' && i + 1 < t.size() && (t[i + 1] == 'c' || t[i + 1] == 'u')) {
      out.append(t[i + 1] == 'c' ? who.client_id : who.username);
      ++i;
    } else {
      out.push_back(t[i]);
    }
  }
}

bool has_user_placeholder(std::string_view t) {
  return t.find("%u") != std::string_view::npos;
}

// A client id or username with MQTT wildcard or level characters would let a pattern rule
// reach other clients' topics (mosquitto refuses these clients the same way).
bool dangerous(std::string_view s) {
  return s.find_first_of("+#/") != std::string_view::npos;
}

// One tier of rules: a deny that applies ends the check, otherwise any grant allows.
decision check(const std::vector<rule>& rules, const subject& who, permission want,
               std::string_view topic, bool is_filter) {
  thread_local std::string buf;
  bool granted = false;
  for (const auto& r : rules) {
    std::string_view t = r.topic;
    if (r.pattern) {
      if (has_user_placeholder(t) && who.username.empty()) continue;
      expand(t, who, buf);
      t = buf;
    }
    if (r.deny) {
      if (is_filter ? detail::covers(t, topic) : topic_matches(t, topic)) return decision::deny;
    } else if (!granted && (r.access & want)) {
      granted = is_filter ? detail::intersects(t, topic) : topic_matches(t, topic);
    }
  }
  return granted ? decision::allow : decision::nomatch;
}

}  // namespace

bool ip_net::contains(const std::array<uint8_t, 16>& ip) const noexcept {
  unsigned bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
    unsigned take = bits >= 8 ? 8 : bits;
    uint8_t mask = static_cast<uint8_t>(0xFF00u >> take);
    if ((ip[i] & mask) != (addr[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

namespace {

std::optional<std::array<uint8_t, 16>> parse_ip(std::string_view text, bool* v4) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN] = {};
  std::memcpy(buf, text.data(), text.size());
  std::array<uint8_t, 16> ip{};
  in_addr a4;
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    ip[10] = ip[11] = 0xFF;
    std::memcpy(&ip[12], &a4, 4);
    *v4 = true;
    return ip;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    std::memcpy(ip.data(), &a6, 16);
    *v4 = false;
    return ip;
  }
  return std::nullopt;
}

}  // namespace

std::optional<ip_net> parse_ip_net(std::string_view text) {
  auto slash = text.find('/');
  bool v4 = false;
  auto ip = parse_ip(text.substr(0, slash), &v4);
  if (!ip) return std::nullopt;
  ip_net n;
  n.addr = *ip;
  n.prefix = 128;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3) return std::nullopt;
    unsigned v = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + unsigned(c - '0');
    }
    if (v > (v4 ? 32u : 128u)) return std::nullopt;
    n.prefix = v4 ? v + 96 : v;
  }
  return n;
}

std::optional<std::array<uint8_t, 16>> peer_ip(std::string_view peer) {
  peer = peer.substr(0, peer.find('/'));  // MQTT-SN forwarders: "ip:port/node=.."
  std::string_view host = peer;
  if (!peer.empty() && peer.front() == '[') {
    auto close = peer.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = peer.substr(1, close - 1);
  } else if (peer.find(':') == peer.rfind(':') && peer.find(':') != std::string_view::npos) {
    host = peer.substr(0, peer.find(':'));  // one colon: v4 with a port
  }
  bool v4 = false;
  return parse_ip(host, &v4);
}

bool is_loopback(const std::array<uint8_t, 16>& ip) noexcept {
  static const ip_net v4 = *parse_ip_net("127.0.0.0/8");
  static const ip_net v6 = *parse_ip_net("::1");
  return v4.contains(ip) || v6.contains(ip);
}

parse_result parse(std::string_view text, std::string_view file_name) {
  parse_result out;
  auto set = std::make_shared<rule_set>();
  std::vector<rule>* block = &set->everyone;
  unsigned line_no = 0;
  auto error = [&](const std::string& msg) {
    if (out.errors.size() < max_errors)
      out.errors.push_back(std::string(file_name) + ":" + std::to_string(line_no) + ": " + msg);
  };
  while (!text.empty() && out.errors.size() < max_errors) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string_view rest;
    std::string_view word = first_word(line, &rest);
    if (word == "topic" || word == "pattern") {
      if (rest.empty()) {
        error(std::string(word) + " needs a topic filter");
        continue;
      }
      std::string_view after;
      std::string_view first = first_word(rest, &after);
      std::optional<rule> r;
      std::string_view topic = rest;
      if (after.empty()) {
        r = rule{};
        r->access = may_readwrite;
      } else {
        r = access_rule(first);
        topic = after;
        if (!r) {
          error("unknown access '" + std::string(first) + "' (read, write, readwrite or deny)");
          continue;
        }
      }
      r->pattern = word == "pattern";
      r->line = line_no;
      r->topic = std::string(topic);
      std::string probe = r->topic;
      if (r->pattern) {
        subject s{"c", "u", std::nullopt};
        expand(r->topic, s, probe);
      }
      if (validate_topic_filter(probe) != errc::ok) {
        error("invalid topic filter '" + r->topic + "'");
        continue;
      }
      ++set->rule_count;
      (r->pattern ? set->patterns : *block).push_back(std::move(*r));
    } else if (word == "user" || word == "clientid") {
      if (rest.empty()) {
        error(std::string(word) + " needs a name");
        continue;
      }
      auto& map = word == "user" ? set->users : set->client_ids;
      block = &map[std::string(rest)];
    } else if (word == "address") {
      auto net = parse_ip_net(rest);
      if (!net) {
        error("invalid address '" + std::string(rest) + "' (an IP or a CIDR such as 10.0.0.0/8)");
        continue;
      }
      set->addresses.emplace_back(*net, std::vector<rule>{});
      block = &set->addresses.back().second;
    } else {
      error("unknown keyword '" + std::string(word) +
            "' (topic, pattern, user, clientid or address)");
    }
  }
  if (out.errors.empty()) out.rules = std::move(set);
  return out;
}

parse_result load(const std::filesystem::path& file) {
  parse_result out;
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (!ec && size > max_file_bytes) {
    out.errors.push_back(file.string() + ": larger than 16 MB");
    return out;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    out.errors.push_back(file.string() + ": cannot read: " + std::strerror(errno));
    return out;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), file.string());
}

decision evaluate(const rule_set& rules, const subject& who, permission want,
                  std::string_view topic, bool is_filter) {
  // Most specific first; the first tier with an applicable rule decides.
  if (!rules.client_ids.empty()) {
    auto it = rules.client_ids.find(std::string(who.client_id));
    if (it != rules.client_ids.end()) {
      if (auto d = check(it->second, who, want, topic, is_filter); d != decision::nomatch) return d;
    }
  }
  if (!who.username.empty() && !rules.users.empty()) {
    auto it = rules.users.find(std::string(who.username));
    if (it != rules.users.end()) {
      if (auto d = check(it->second, who, want, topic, is_filter); d != decision::nomatch) return d;
    }
  }
  if (who.ip && !rules.addresses.empty()) {
    bool granted = false;
    for (const auto& [net, block] : rules.addresses) {
      if (!net.contains(*who.ip)) continue;
      auto d = check(block, who, want, topic, is_filter);
      if (d == decision::deny) return d;
      granted = granted || d == decision::allow;
    }
    if (granted) return decision::allow;
  }
  if (auto d = check(rules.everyone, who, want, topic, is_filter); d != decision::nomatch) return d;
  if (!rules.patterns.empty()) {
    if (dangerous(who.client_id) || dangerous(who.username)) return decision::deny;
    return check(rules.patterns, who, want, topic, is_filter);
  }
  return decision::nomatch;
}

}  // namespace edgegw::acl
