// The "mqtt" component logger (STYLE.md "Logging"), shared with the rest of the process.
#pragma once
#include "gateway/api/log.hpp"

namespace edgegw::mqtt::detail {

inline std::shared_ptr<spdlog::logger> logger() {
  return log::get("mqtt");
}

}  // namespace edgegw::mqtt::detail
