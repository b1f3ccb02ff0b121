// See auth_chain.hpp.
#include "gateway/authn/auth_chain.hpp"

#include <stdexcept>

#include "gateway/api/log.hpp"

namespace edgegw::authn {

namespace {
const std::shared_ptr<spdlog::logger>& alog() {
  static const auto l = log::get("authn");
  return l;
}
}  // namespace

auth_chain::auth_chain(chain_settings s, access_lists lists, std::shared_ptr<http_hook> hook)
    : s_(std::move(s)), hook_(std::move(hook)) {
  auto st = std::make_shared<state>();
  st->lists = std::move(lists);
  if (!s_.password_file.empty()) {
    std::string why;
    auto f = load_password_file(s_.password_file, &why);
    if (!f) throw std::runtime_error("auth.password_file: " + why);
    alog()->info("password_file_loaded file={} users={}", s_.password_file.string(),
                 f->users.size());
    st->passwords = std::make_shared<const password_file>(std::move(*f));
  }
  state_ = std::move(st);
}

std::shared_ptr<const auth_chain::state> auth_chain::current() {
  std::lock_guard lk(mu_);
  return state_;
}

std::string auth_chain::reload(access_lists lists) {
  auto st = std::make_shared<state>();
  st->lists = std::move(lists);
  if (!s_.password_file.empty()) {
    std::string why;
    auto f = load_password_file(s_.password_file, &why);
    if (!f) return why;
    alog()->info("password_file_loaded file={} users={}", s_.password_file.string(),
                 f->users.size());
    st->passwords = std::make_shared<const password_file>(std::move(*f));
  }
  std::lock_guard lk(mu_);
  state_ = std::move(st);
  return {};
}

auth_chain::step auth_chain::first_steps(const credentials& creds, client_info& client, errc& e) {
  // The bridge's local side is the gateway's own client, configured in its own ini file,
  // not a peer on the network: no list, password or hook applies to it.
  if (creds.protocol == "bridge") {
    e = errc::ok;
    return step::decided;
  }
  auto st = current();
  // 1. The TLS identity. A certificate's name is only there when the certificate was
  // verified (listeners with verify = peer), a PSK identity when its key matched (net::tls).
  bool by_cert = false;
  if (auto it = s_.certs.find(creds.listener);
      it != s_.certs.end() && it->second == cert_identity::tls && !creds.cert_common_name.empty()) {
    client.username = creds.cert_common_name;
    by_cert = true;
  }
  std::optional<std::string> username =
      by_cert ? std::optional<std::string>(client.username) : creds.username;
  // 2. Lists.
  if (auto why = st->lists.refuse(client.client_id, username, creds.peer)) {
    alog()->info("auth_refused client={} peer={} source=lists list={}", client.client_id,
                 creds.peer, *why);
    e = errc::not_authorized;
    return step::decided;
  }
  if (by_cert) {
    e = errc::ok;
    return step::decided;
  }
  // 3. Password file.
  if (st->passwords && username) {
    if (auto it = st->passwords->users.find(*username); it != st->passwords->users.end()) {
      if (verify(it->second.hash, creds.password.value_or(""))) {
        client.is_superuser = it->second.superuser;
        e = errc::ok;
      } else {
        alog()->info(
            "auth_refused client={} peer={} username={} source=password_file "
            "reason=bad_password",
            client.client_id, creds.peer, *username);
        e = errc::bad_credentials;
      }
      return step::decided;
    }
  }
  if (hook_) return step::ask_hook;
  e = after_hook(creds, client, {});  // no hook: as if it ignored
  return step::decided;
}

errc auth_chain::after_hook(const credentials& creds, client_info& client, const hook_answer& a) {
  switch (a.result) {
    case verdict::allow:
      client.is_superuser = a.is_superuser;
      return errc::ok;
    case verdict::deny:
      alog()->info("auth_refused client={} peer={} source=http_hook", client.client_id, creds.peer);
      return creds.username ? errc::bad_credentials : errc::not_authorized;
    case verdict::ignore:
      break;
  }
  if (!creds.username) {
    if (s_.allow_anonymous) return errc::ok;
    alog()->info("auth_refused client={} peer={} reason=anonymous", client.client_id, creds.peer);
    return errc::not_authorized;
  }
  const bool has_sources = !s_.password_file.empty() || hook_;
  if (!has_sources && s_.allow_anonymous) return errc::ok;
  alog()->info("auth_refused client={} peer={} username={} reason=unknown_user", client.client_id,
               creds.peer, *creds.username);
  return errc::bad_credentials;
}

errc auth_chain::check(const credentials& creds, client_info& client) {
  errc e = errc::ok;
  if (first_steps(creds, client, e) == step::decided) return e;
  // Synchronous callers cannot wait for the hook: a cached answer, else "ignore" (and the
  // answer is fetched for the client's next attempt).
  if (auto a = hook_->cached(creds)) return after_hook(creds, client, *a);
  hook_->query(creds, [](hook_answer) {});
  return after_hook(creds, client, {});
}

void auth_chain::check_async(const credentials& creds, client_info client,
                             std::function<void(errc, client_info)> done) {
  errc e = errc::ok;
  if (first_steps(creds, client, e) == step::decided) {
    done(e, std::move(client));
    return;
  }
  hook_->query(creds, [self = shared_from_this(), creds, client = std::move(client),
                       done = std::move(done)](hook_answer a) mutable {
    errc r = self->after_hook(creds, client, a);
    done(r, std::move(client));
  });
}

}  // namespace edgegw::authn
