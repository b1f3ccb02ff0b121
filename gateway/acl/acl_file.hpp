// ACL files: mosquitto's acl_file format (`user`, `topic`, `pattern` with %c / %u) plus
// edgegw's `clientid` and `address` blocks, parsed into a rule_set, and the pure
// evaluation of a rule_set for one client and one topic or filter. No I/O beyond reading
// the file, no broker types: the fuzzer and the unit tests use this directly.
// The format and the order of evaluation are documented in docs/SECURITY.md
// ("Authorization (ACL)"); keep the two in step.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edgegw::acl {

enum permission : uint8_t { may_read = 1, may_write = 2, may_readwrite = 3 };

struct rule {
  std::string topic;   // a topic filter; pattern rules hold %c / %u
  uint8_t access = 0;  // may_read | may_write bits that it grants (0 for deny)
  bool deny = false;   // `deny`: refuses read and write on what it matches
  bool pattern = false;
  unsigned line = 0;
};

// An IPv4 or IPv6 network; IPv4 is kept as an IPv4-mapped IPv6 address so one compare
// covers both (a v4 peer seen on a v6 socket as ::ffff:a.b.c.d matches a v4 block).
struct ip_net {
  std::array<uint8_t, 16> addr{};
  unsigned prefix = 128;
  bool contains(const std::array<uint8_t, 16>& ip) const noexcept;
};

// "10.0.0.0/8", "192.0.2.7", "fe80::/10", "::1"; nullopt when malformed.
std::optional<ip_net> parse_ip_net(std::string_view text);
// The IP of a client_info::peer ("ip:port", "[v6]:port", MQTT-SN "ip:port/node=..");
// nullopt when there is none (a session restored from disk has no peer).
std::optional<std::array<uint8_t, 16>> peer_ip(std::string_view peer);
bool is_loopback(const std::array<uint8_t, 16>& ip) noexcept;

struct rule_set {
  std::vector<rule> everyone;  // `topic` lines before any block
  std::vector<rule> patterns;  // every `pattern` line, wherever it stands
  std::unordered_map<std::string, std::vector<rule>> users;
  std::unordered_map<std::string, std::vector<rule>> client_ids;
  std::vector<std::pair<ip_net, std::vector<rule>>> addresses;
  std::size_t rule_count = 0;
};

struct parse_result {
  std::shared_ptr<const rule_set> rules;  // set exactly when errors is empty
  std::vector<std::string> errors;        // "FILE:LINE: message", at most max_errors
};
constexpr std::size_t max_errors = 50;

parse_result parse(std::string_view text, std::string_view file_name);
parse_result load(const std::filesystem::path& file);

// Who asks. username empty = anonymous.
struct subject {
  std::string_view client_id;
  std::string_view username;
  std::optional<std::array<uint8_t, 16>> ip;
};

enum class decision : uint8_t { allow, deny, nomatch };

// `want` is may_read or may_write. A topic name is checked by matching; a subscription filter
// (is_filter) is refused by a deny rule covering all of it and granted by a read rule
// that shares at least one topic with it (deliveries are then checked one by one).
decision evaluate(const rule_set& rules, const subject& who, permission want,
                  std::string_view topic, bool is_filter);

}  // namespace edgegw::acl
