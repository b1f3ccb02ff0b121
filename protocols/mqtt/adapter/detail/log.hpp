// The "mqtt" component logger (STYLE.md "Logging"): the app registers it with its sinks at
// start-up; when it has not (unit tests), it is created on the default logger's sinks.
#pragma once
#include <spdlog/spdlog.h>

#include <memory>

namespace edgegw::mqtt::detail {

inline std::shared_ptr<spdlog::logger> logger() {
  if (auto l = spdlog::get("mqtt")) return l;
  auto def = spdlog::default_logger();
  auto l = std::make_shared<spdlog::logger>("mqtt", def->sinks().begin(), def->sinks().end());
  l->set_level(def->level());
  try {
    spdlog::register_logger(l);
  } catch (const spdlog::spdlog_ex&) {
    if (auto other = spdlog::get("mqtt")) return other;  // another thread registered it first
  }
  return l;
}

}  // namespace edgegw::mqtt::detail
