// See psk_config.hpp.
#include "protocols/coap/stack/psk_config.hpp"

#include <stdexcept>

namespace edgegw::coap {

psk_table psk_from_config(const config::values& cfg, const std::string& section) {
  const std::string p = section + ".";
  psk_table psk;
  const auto& id = cfg.get_string(p + "psk_identity");
  const auto& key = cfg.get_string(p + "psk_key");
  if (id.empty() != key.empty())
    throw std::runtime_error(section + ": psk_identity and psk_key go together (" +
                             cfg.origin_of(p + (id.empty() ? "psk_key" : "psk_identity")).str() +
                             ")");
  if (!id.empty()) psk[id] = key;
  if (auto f = cfg.get_path(p + "psk_file"); !f.empty()) {
    if (auto why = load_psk_file(f.string(), psk); !why.empty())
      throw std::runtime_error(section + ".psk_file: " + why);
  }
  return psk;
}

}  // namespace edgegw::coap
