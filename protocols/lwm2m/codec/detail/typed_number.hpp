// Numbers from JSON-like formats (OMA JSON, SenML JSON/CBOR) given the type the object
// definition names for their resource. Lenient by design: a device whose value does not
// fit the definition keeps the value as sent (integer or float) rather than failing.
#pragma once
#include <cstdint>
#include <variant>

#include "../value.hpp"

namespace edgegw::lwm2m::detail {

using number = std::variant<int64_t, uint64_t, double>;

value typed_number(const number& n, value_type t);

}  // namespace edgegw::lwm2m::detail
