// The "tls" error category: mbedTLS codes in words (mbedtls_strerror) plus our own.
#include "gateway/net/tls/tls_error.hpp"

#include <mbedtls/error.h>

#include <array>

namespace edgegw::net::tls {

namespace {

// boost::system::error_category's destructor is protected and non-virtual by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::peer_cert_rejected:
        return "client certificate rejected";
      case errc::handshake_timeout:
        return "TLS handshake timed out";
    }
    return describe(-ev);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& category() noexcept {
  static const category_impl c;
  return c;
}

std::string describe(int mbedtls_ret) {
  std::array<char, 200> buf{};
  mbedtls_strerror(mbedtls_ret, buf.data(), buf.size());
  return buf.data();
}

}  // namespace edgegw::net::tls
