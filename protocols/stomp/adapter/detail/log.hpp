// The "stomp" component logger (STYLE.md "Logging"), looked up once.
#pragma once
#include "gateway/api/log.hpp"

namespace edgegw::stomp::detail {

inline const std::shared_ptr<spdlog::logger>& log() {
  static const auto l = log::get("stomp");
  return l;
}

}  // namespace edgegw::stomp::detail
