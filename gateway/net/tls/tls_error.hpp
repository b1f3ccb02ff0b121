// Error codes of the TLS layer: mbedTLS's own (negative numbers, stored as their absolute
// value, described by mbedtls_strerror) and the few this layer adds itself.
#pragma once
#include "gateway/api/asio.hpp"

#include <string>

namespace edgegw::net::tls {

// Our own conditions, numbered above every mbedTLS error (those are below 0x8000).
enum class errc {
  peer_cert_rejected = 0x10001,  // a client certificate was sent and failed verification
  handshake_timeout = 0x10002,   // the handshake did not finish in time
};

const boost::system::error_category& category() noexcept;

// An mbedTLS return value (negative) as an error_code.
inline boost::system::error_code from_mbedtls(int ret) noexcept {
  return {ret < 0 ? -ret : ret, category()};
}
inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

// mbedtls_strerror of a negative mbedTLS return value.
std::string describe(int mbedtls_ret);

}  // namespace edgegw::net::tls

namespace boost::system {
template <>
struct is_error_code_enum<edgegw::net::tls::errc> : std::true_type {};
}  // namespace boost::system
