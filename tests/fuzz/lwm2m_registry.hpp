// The shipped LwM2M object definitions for the fuzz targets (loaded once; abort if they do
// not load, since every input would then test the fallback only).
#pragma once
#include <cstdlib>

#include "protocols/lwm2m/codec/object_registry.hpp"

inline const edgegw::lwm2m::object_registry& fuzz_objects() {
  static const edgegw::lwm2m::object_registry reg = [] {
    auto r = edgegw::lwm2m::object_registry::load_directory(EDGEGW_LWM2M_OBJECTS_DIR);
    if (!r) std::abort();
    return std::move(r).value();
  }();
  return reg;
}
