// Builds the authentication chain from [auth] and the TLS listeners' peer_cert_as_username,
// and the SIGHUP reloader (the lists from the re-read ini file, and the password file).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "gateway/api/asio.hpp"
#include "gateway/authn/auth_chain.hpp"
#include "gateway/config/config.hpp"

namespace edgegw::authn {

// Throws std::runtime_error with a one-line reason (e.g. an unreadable password file).
// `ex` runs the HTTP hook's requests.
std::shared_ptr<auth_chain> make_auth_chain(const config::values& cfg,
                                            boost::asio::any_io_executor ex);
access_lists lists_from(const config::values& cfg);

// The SIGHUP reloader: `reread` loads the configuration again (the same file and --set
// overrides; nullopt with *why when it is broken); its lists and the password file then
// replace the old ones, or nothing changes and the reason is returned.
using config_reader = std::function<std::optional<config::values>(std::string* why)>;
std::function<std::string()> make_reloader(std::shared_ptr<auth_chain> chain, config_reader reread);

}  // namespace edgegw::authn
