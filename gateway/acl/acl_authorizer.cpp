// See acl_authorizer.hpp.
#include "gateway/acl/acl_authorizer.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "gateway/api/log.hpp"
#include "gateway/api/topic.hpp"
#include "gateway/config/config.hpp"

namespace edgegw::acl {

namespace {

std::string joined(const std::vector<std::string>& errors) {
  std::string s;
  for (const auto& e : errors) {
    if (!s.empty()) s += "; ";
    s += e;
  }
  return s;
}

bool is_sys(std::string_view topic) {
  return topic == "$SYS" || topic.substr(0, 5) == "$SYS/";
}

std::shared_ptr<spdlog::logger>& acl_log() {
  static auto l = log::get("acl");
  return l;
}

const char* action_name(action a) {
  return a == action::publish ? "publish" : "subscribe";
}

}  // namespace

acl_authorizer::acl_authorizer(authorizer_options o) : opts_(std::move(o)) {
  if (opts_.file.empty()) return;
  auto r = load(opts_.file);
  if (!r.rules) throw std::runtime_error("auth.acl_file: " + joined(r.errors));
  acl_log()->info("acl_loaded file={} rules={}", opts_.file.string(), r.rules->rule_count);
  rules_.store(std::move(r.rules));
}

std::string acl_authorizer::reload() {
  if (opts_.file.empty()) return "";
  auto r = load(opts_.file);
  if (!r.rules) return joined(r.errors);
  acl_log()->info("acl_loaded file={} rules={}", opts_.file.string(), r.rules->rule_count);
  rules_.store(std::move(r.rules));
  return "";
}

std::size_t acl_authorizer::rule_count() const {
  auto r = rules_.load();
  return r ? r->rule_count : 0;
}

bool acl_authorizer::allow(const client_info& client, action act, std::string_view topic) {
  return check(client, act, topic, true);
}

bool acl_authorizer::may_receive(const client_info& client, std::string_view topic) {
  return check(client, action::subscribe, topic, false);
}

bool acl_authorizer::check(const client_info& client, action act, std::string_view topic,
                           bool log_denial) {
  // The broker's own clients: bridges carry what the configuration tells them to.
  if (client.is_superuser || client.protocol == "internal" || client.protocol == "bridge")
    return true;
  const bool sys = is_sys(topic);
  auto rules = rules_.load();
  // Without a file only $SYS has rules: other topics skip the address parsing.
  if (!sys && !rules && opts_.nomatch_allow) return true;
  auto ip = peer_ip(client.peer);
  const char* why = nullptr;
  if (sys) {
    if (act == action::publish)
      why = "sys_publish";
    else if (opts_.sys_loopback_only && !(ip && is_loopback(*ip)))
      why = "sys_not_loopback";
  }
  if (!why) {
    decision d = decision::nomatch;
    if (rules) {
      subject who{client.client_id, client.username, ip};
      bool is_filter = act == action::subscribe && has_wildcards(topic);
      d = evaluate(*rules, who, act == action::publish ? may_write : may_read, topic, is_filter);
    }
    if (d == decision::allow || (d == decision::nomatch && opts_.nomatch_allow)) return true;
    why = d == decision::deny ? "rule" : "nomatch";
  }
  if (log_denial)
    acl_log()->debug("acl_denied client={} user={} peer={} action={} topic={} reason={}",
                     client.client_id, client.username, client.peer, action_name(act), topic, why);
  return false;
}

std::shared_ptr<acl_authorizer> make_authorizer(const config::values& cfg) {
  authorizer_options o;
  o.file = cfg.get_path("auth.acl_file");
  const auto& nomatch = cfg.get_string("auth.acl_nomatch");
  o.nomatch_allow = nomatch == "allow" || (nomatch == "auto" && o.file.empty());
  o.sys_loopback_only = cfg.get_bool("auth.sys_topics_loopback_only");
  if (o.file.empty() && o.nomatch_allow && !o.sys_loopback_only) return nullptr;
  return std::make_shared<acl_authorizer>(std::move(o));
}

}  // namespace edgegw::acl
