// libFuzzer target for the ACL file parser and rule evaluation. The input is an ACL file;
// after a "\0" separator come a client id, username, peer and topic ("\n"-separated) that
// are evaluated against the parsed rules as a topic and as a filter, for read and write.
// Besides not crashing: rules exactly when there are no errors, a bounded error list with
// "FILE:LINE: " on every error, and a filter without wildcards deciding like the same topic.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/acl/acl_file.hpp"
#include "gateway/api/topic.hpp"

namespace {

using namespace edgegw::acl;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "acl_file fuzz check failed: %s\n", what);
    std::abort();
  }
}

std::string_view next_line(std::string_view& s) {
  auto nl = s.find('\n');
  std::string_view line = s.substr(0, nl);
  s = nl == std::string_view::npos ? std::string_view{} : s.substr(nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto sep = in.find('\0');
  std::string_view file = in.substr(0, sep);
  std::string_view query = sep == std::string_view::npos ? std::string_view{} : in.substr(sep + 1);

  auto r = parse(file, "fuzz.acl");
  require(bool(r.rules) == r.errors.empty(), "rules exactly when no errors");
  require(r.errors.size() <= max_errors, "bounded errors");
  for (const auto& e : r.errors) require(e.rfind("fuzz.acl:", 0) == 0, "errors name the file");
  if (!r.rules) return 0;

  std::string_view id = next_line(query);
  std::string_view user = next_line(query);
  std::string_view peer = next_line(query);
  std::string_view topic = next_line(query);
  subject who{id, user, peer_ip(peer)};
  if (auto net = parse_ip_net(peer); net && who.ip) (void)net->contains(*who.ip);
  for (permission want : {may_read, may_write}) {
    decision as_topic = evaluate(*r.rules, who, want, topic, false);
    decision as_filter = evaluate(*r.rules, who, want, topic, true);
    // Valid filters without wildcards match exactly one topic: both views agree.
    if (!topic.empty() && !edgegw::has_wildcards(topic) &&
        edgegw::validate_topic_filter(topic) == edgegw::errc::ok)
      require(as_topic == as_filter, "wildcard-free filter decides as its topic");
  }
  return 0;
}
