// acl_authorizer: the broker's core::authorizer for [auth] — the ACL file (acl_file.hpp),
// auth.acl_nomatch, and the $SYS rules (no client publishes there; subscribing is for
// loopback peers only unless auth.sys_topics_loopback_only = false). Superusers and the
// broker's own clients (bridges, $SYS) are not checked.
// Thread-safe: checks run on any I/O thread while reload() (SIGHUP, main thread) swaps in
// a new rule set atomically; a file that does not parse leaves the old rules in place.
#pragma once
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "gateway/acl/acl_file.hpp"
#include "gateway/core/broker_core.hpp"

namespace edgegw::config {
class values;
}

namespace edgegw::acl {

struct authorizer_options {
  std::filesystem::path file;  // empty: no ACL file
  bool nomatch_allow = true;   // decision when no rule applies
  bool sys_loopback_only = true;
};

class acl_authorizer final : public core::authorizer {
 public:
  // Loads `file`; throws std::runtime_error listing its problems ("FILE:LINE: message").
  explicit acl_authorizer(authorizer_options o);

  bool allow(const client_info& client, action act, std::string_view topic) override;
  bool filters_deliveries() const override { return !opts_.file.empty(); }
  bool may_receive(const client_info& client, std::string_view topic) override;

  // Re-reads the file: "" when the new rules are in place, else why the old ones were kept.
  std::string reload();
  std::size_t rule_count() const;
  const authorizer_options& options() const noexcept { return opts_; }

 private:
  bool check(const client_info& client, action act, std::string_view topic, bool log_denial);

  authorizer_options opts_;
  std::atomic<std::shared_ptr<const rule_set>> rules_;
};

// From [auth] (acl_file, acl_nomatch, sys_topics_loopback_only). Throws like the
// constructor when the file cannot be used.
std::shared_ptr<acl_authorizer> make_authorizer(const config::values& cfg);

}  // namespace edgegw::acl
