// Fuzz target for the certificate names used as usernames (net::tls::peer_identity):
// arbitrary bytes as a client's DER certificate. Besides not crashing: a subject with a CN
// has a DN that names it, and every identity agrees with its own function.
#include <mbedtls/x509_crt.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "gateway/net/tls/peer_identity.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace edgegw::net::tls;
  mbedtls_x509_crt crt;
  mbedtls_x509_crt_init(&crt);
  if (mbedtls_x509_crt_parse_der(&crt, data, size) == 0) {
    const std::string cn = common_name(crt);
    const std::string san = first_text_san(crt);
    const std::string dn = subject_dn(crt);
    if (!cn.empty() && dn.find("CN=") == std::string::npos) std::abort();
    if (certificate_identity(crt, cert_identity::cn) != cn ||
        certificate_identity(crt, cert_identity::san) != san ||
        certificate_identity(crt, cert_identity::dn) != dn ||
        !certificate_identity(crt, cert_identity::none).empty())
      std::abort();
  }
  mbedtls_x509_crt_free(&crt);
  return 0;
}
