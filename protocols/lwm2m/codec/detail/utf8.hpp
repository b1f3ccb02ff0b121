// UTF-8 validation: strings from devices end up in JSON, which must be valid UTF-8.
#pragma once
#include <string_view>

namespace edgegw::lwm2m::detail {

bool valid_utf8(std::string_view s) noexcept;

}  // namespace edgegw::lwm2m::detail
