// See authn_from_config.hpp.
#include "gateway/authn/authn_from_config.hpp"

#include <stdexcept>

#include "gateway/api/log.hpp"

namespace edgegw::authn {

access_lists lists_from(const config::values& cfg) {
  access_lists l;
  l.deny_clientids = split_list(cfg.get_string("auth.deny_clientids"));
  l.allow_clientids = split_list(cfg.get_string("auth.allow_clientids"));
  l.deny_usernames = split_list(cfg.get_string("auth.deny_usernames"));
  l.allow_usernames = split_list(cfg.get_string("auth.allow_usernames"));
  for (auto [key, out] : {std::pair{"auth.deny_addresses", &l.deny_addresses},
                          std::pair{"auth.allow_addresses", &l.allow_addresses}}) {
    if (auto e = parse_networks(cfg.get_string(key), *out); !e.empty())
      throw std::runtime_error(std::string(key) + " (" + cfg.origin_of(key).str() + "): " + e);
  }
  return l;
}

std::shared_ptr<auth_chain> make_auth_chain(const config::values& cfg,
                                            boost::asio::any_io_executor ex) {
  chain_settings s;
  s.allow_anonymous = cfg.get_bool("auth.allow_anonymous");
  s.password_file = cfg.get_path("auth.password_file");
  for (const char* kind : {"ssl", "wss"}) {
    for (const auto& name : cfg.instances(std::string("listener.") + kind)) {
      const std::string key = std::string("listener.") + kind + "." + name + ".";
      const bool by_cert = cfg.get_string(key + "peer_cert_as_username") != "none";
      const bool by_psk = cfg.get_bool(key + "psk_identity_as_username");
      if (!by_cert && !by_psk) continue;
      if (by_cert && cfg.get_bool(key + "enable") && cfg.get_string(key + "verify") != "peer")
        throw std::runtime_error(key + "peer_cert_as_username (" +
                                 cfg.origin_of(key + "peer_cert_as_username").str() + "): needs " +
                                 key + "verify = peer");
      s.certs[std::string(kind) + ":" + name] = cert_identity::tls;
    }
  }
  std::shared_ptr<http_hook> hook;
  if (const auto& url = cfg.get_string("auth.http_url"); !url.empty()) {
    http_hook_settings h;
    if (auto e = parse_http_url(url, h); !e.empty())
      throw std::runtime_error("auth.http_url (" + cfg.origin_of("auth.http_url").str() +
                               "): " + e);
    h.timeout = cfg.get_duration("auth.http_timeout");
    h.cache_ttl = cfg.get_duration("auth.http_cache_ttl");
    h.cache_max = static_cast<std::size_t>(cfg.get_int("auth.http_cache_max"));
    hook = std::make_shared<http_hook>(std::move(h), std::move(ex));
  }
  return std::make_shared<auth_chain>(std::move(s), lists_from(cfg), std::move(hook));
}

std::function<std::string()> make_reloader(std::shared_ptr<auth_chain> chain,
                                           config_reader reread) {
  return [chain = std::move(chain), reread = std::move(reread)]() -> std::string {
    std::string why;
    auto cfg = reread(&why);
    if (!cfg) return why;
    try {
      return chain->reload(lists_from(*cfg));
    } catch (const std::exception& e) {
      return e.what();
    }
  };
}

}  // namespace edgegw::authn
