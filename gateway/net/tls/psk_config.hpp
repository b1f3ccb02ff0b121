// The pre-shared keys of a config section that has psk_identity, psk_key and psk_file
// (listener.ssl.NAME, listener.wss.NAME; the same names and formats as the CoAP and LwM2M
// gateways' DTLS keys, SPEC section 6). Generic: gateway/net depends on no protocol.
#pragma once
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/net/tls/psk_keys.hpp"

namespace edgegw::net::tls {

// Where a section's keys come from; load() reads psk_file again (a SIGHUP reload).
struct psk_source {
  std::string section;   // e.g. "listener.ssl.default", for messages
  std::string identity;  // inline pair, "" when not set
  std::string key;
  std::string file;  // "" when not set
  bool empty() const noexcept { return identity.empty() && file.empty(); }
  // Throws std::runtime_error naming the key (an unreadable or bad psk_file).
  psk_table load() const;
};

// `section` is e.g. "listener.ssl.default". Throws std::runtime_error naming the key and
// where it was set (an identity without a key).
psk_source psk_source_from_config(const config::values& cfg, const std::string& section);

// psk_source_from_config(cfg, section).load().
psk_table psk_from_config(const config::values& cfg, const std::string& section);

}  // namespace edgegw::net::tls
