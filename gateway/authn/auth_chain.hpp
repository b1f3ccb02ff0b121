// The authentication chain: edgegw's core::authenticator. Sources in order, each answering
// allow, deny or ignore (ask the next one):
//   1. the TLS identity, on listeners with peer_cert_as_username = cn|san|dn or
//      psk_identity_as_username = true: the verified certificate's CN, SAN or DN, or the
//      PSK identity (whichever the TLS layer reports, net::tls) becomes the username and
//      admits the client (as mosquitto's use_identity_as_username);
//   2. the allow/deny lists (deny or ignore);
//   3. the password file (allow or deny for its users, ignore for others);
//   4. the HTTP hook.
// The bridge's own local client (protocol "bridge") is trusted without any of them.
// When every source ignores: a client without a username is admitted if allow_anonymous; a
// client with a username is refused (bad username or password) when some credential source
// (password file, hook) is configured, and otherwise follows allow_anonymous, as mosquitto.
//
// Thread-safety: check() runs on any I/O thread; the password file and lists are swapped
// atomically by reload (SIGHUP, on the main thread), so a check sees the old or the new
// state, never a mix.
#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gateway/authn/access_lists.hpp"
#include "gateway/authn/http_hook.hpp"
#include "gateway/authn/password_file.hpp"
#include "gateway/core/broker_core.hpp"

namespace edgegw::authn {

// tls: the identity the TLS layer reports (credentials::cert_common_name) is the username.
enum class cert_identity : uint8_t { none, tls };

struct chain_settings {
  bool allow_anonymous = true;
  std::filesystem::path password_file;         // empty: none
  std::map<std::string, cert_identity> certs;  // by listener name ("ssl:default")
};

class auth_chain final : public core::authenticator,
                         public std::enable_shared_from_this<auth_chain> {
 public:
  // `hook` may be null. Loads the password file: throws with the reason when it cannot.
  auth_chain(chain_settings s, access_lists lists, std::shared_ptr<http_hook> hook);

  errc check(const credentials& creds, client_info& client) override;
  void check_async(const credentials& creds, client_info client,
                   std::function<void(errc, client_info)> done) override;

  // Re-read the password file and take `lists`; on failure keep both old ones and return
  // why (the lists come from the same reload, so they are not taken half-way either).
  std::string reload(access_lists lists);

 private:
  struct state {
    std::shared_ptr<const password_file> passwords;  // null: no password file
    access_lists lists;
  };
  enum class step : uint8_t { decided, ask_hook };
  // Sources 1-3; `e` is set when decided.
  step first_steps(const credentials& creds, client_info& client, errc& e);
  // Source 4's answer (or ignore), then the fall-through rule.
  errc after_hook(const credentials& creds, client_info& client, const hook_answer& a);
  std::shared_ptr<const state> current();

  chain_settings s_;
  std::shared_ptr<http_hook> hook_;
  std::mutex mu_;
  std::shared_ptr<const state> state_;
};

}  // namespace edgegw::authn
