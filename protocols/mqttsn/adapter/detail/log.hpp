// The "mqttsn" component logger (STYLE.md "Logging").
#pragma once
#include "gateway/api/log.hpp"

namespace edgegw::mqttsn::detail {

inline std::shared_ptr<spdlog::logger> logger() {
  return log::get("mqttsn");
}

}  // namespace edgegw::mqttsn::detail
