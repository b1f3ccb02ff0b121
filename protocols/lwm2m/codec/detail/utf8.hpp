// UTF-8 validation: strings from devices end up in JSON, which must be valid UTF-8.
#pragma once
#include <string_view>

namespace edgegw::lwm2m::detail {

bool valid_utf8(std::string_view s) noexcept;

}  // namespace edgegw::lwm2m::detail

#include <cstddef>
#include <string>

namespace edgegw::lwm2m::detail {

// Outside text for an error reason (which ends up in JSON): in single quotes, bytes that
// are not valid UTF-8 written as \xNN, cut at a character boundary after `max` bytes.
std::string quote(std::string_view s, std::size_t max = 64);

}  // namespace edgegw::lwm2m::detail
