// See psk_config.hpp.
#include "gateway/net/tls/psk_config.hpp"

#include <stdexcept>

namespace edgegw::net::tls {

psk_table psk_source::load() const {
  psk_table psk;
  if (!identity.empty()) psk[identity] = key;
  if (!file.empty()) {
    if (auto why = load_psk_file(file, psk); !why.empty())
      throw std::runtime_error(section + ".psk_file: " + why);
  }
  return psk;
}

psk_source psk_source_from_config(const config::values& cfg, const std::string& section) {
  const std::string p = section + ".";
  psk_source src;
  src.section = section;
  src.identity = cfg.get_string(p + "psk_identity");
  src.key = cfg.get_string(p + "psk_key");
  if (src.identity.empty() != src.key.empty())
    throw std::runtime_error(
        section + ": psk_identity and psk_key go together (" +
        cfg.origin_of(p + (src.identity.empty() ? "psk_key" : "psk_identity")).str() + ")");
  src.file = cfg.get_path(p + "psk_file").string();
  return src;
}

psk_table psk_from_config(const config::values& cfg, const std::string& section) {
  return psk_source_from_config(cfg, section).load();
}

}  // namespace edgegw::net::tls
