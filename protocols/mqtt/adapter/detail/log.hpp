// The "mqtt" component logger (STYLE.md "Logging"), shared with the rest of the process.
#pragma once
#include "gateway/api/log.hpp"

namespace edgegw::mqtt::detail {

inline std::shared_ptr<spdlog::logger> logger() {
  return log::get("mqtt");
}

// The same logger, looked up once (connections do not each keep a reference).
inline const std::shared_ptr<spdlog::logger>& log() {
  static const auto l = logger();
  return l;
}

}  // namespace edgegw::mqtt::detail
