// Per-component spdlog loggers (STYLE.md "Logging"): created on first use, shared after.
#pragma once
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace edgegw::log {

// Returns the logger `name`, creating it on the default logger's sinks if missing.
inline std::shared_ptr<spdlog::logger> get(const std::string& name) {
  if (auto l = spdlog::get(name)) return l;
  auto def = spdlog::default_logger();
  auto l = std::make_shared<spdlog::logger>(name, def->sinks().begin(), def->sinks().end());
  l->set_level(def->level());
  try {
    spdlog::register_logger(l);
  } catch (const spdlog::spdlog_ex&) {
    return spdlog::get(name);  // another thread registered it first
  }
  return l;
}

// The core broker's logger, looked up once.
inline std::shared_ptr<spdlog::logger>& core() {
  static auto l = get("core");
  return l;
}

}  // namespace edgegw::log
