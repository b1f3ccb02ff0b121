// Internal result of a decoding step: ok, or the status class and a static explanation
// (citing the spec statement) that ends up in decode_result::error.
#pragma once
#include "protocols/mqtt/codec/codec.hpp"

namespace edgegw::mqtt::detail {

struct failure {
  decode_status status = decode_status::ok;
  const char* what = nullptr;
  explicit operator bool() const { return status != decode_status::ok; }
};

inline failure fail_malformed(const char* what) {
  return {decode_status::malformed, what};
}
inline failure fail_protocol(const char* what) {
  return {decode_status::protocol_error, what};
}

}  // namespace edgegw::mqtt::detail
