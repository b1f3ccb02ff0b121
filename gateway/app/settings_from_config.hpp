// Turns the checked configuration into the plain settings structs of each module, so
// modules never read config keys themselves (and unit tests build settings directly).
#pragma once
#include "gateway/config/config.hpp"
#include "gateway/core/core_settings.hpp"
#include "gateway/store/durable_store.hpp"
#include "protocols/mqtt/adapter/settings.hpp"

namespace edgegw::app {

core::core_settings core_settings_from(const config::values& cfg);
store::store_options store_options_from(const config::values& cfg);
// One listener section, e.g. prefix "listener.tcp.default".
mqtt::settings mqtt_settings_from(const config::values& cfg, const core::core_settings& core,
                                  const std::string& kind, const std::string& name);

}  // namespace edgegw::app
