// Certificate names as usernames (net::tls::peer_identity) on certificates made by the
// openssl CLI at test time (test_certs.hpp).
#include <gtest/gtest.h>
#include <mbedtls/x509_crt.h>

#include <string>

#include "gateway/net/tls/peer_identity.hpp"
#include "test_certs.hpp"

namespace edgegw::net::tls {
namespace {

class Cert {
 public:
  explicit Cert(const std::string& name) {
    mbedtls_x509_crt_init(&crt_);
    const std::string path = test::cert_file(name + ".crt");
    EXPECT_EQ(mbedtls_x509_crt_parse_file(&crt_, path.c_str()), 0) << path;
  }
  ~Cert() { mbedtls_x509_crt_free(&crt_); }
  Cert(const Cert&) = delete;
  Cert& operator=(const Cert&) = delete;
  const mbedtls_x509_crt& get() const { return crt_; }

 private:
  mbedtls_x509_crt crt_;
};

TEST(PeerIdentity, CommonName) {
  Cert c("client");
  EXPECT_EQ(common_name(c.get()), "device-7");
  EXPECT_EQ(certificate_identity(c.get(), cert_identity::cn), "device-7");
  EXPECT_EQ(certificate_identity(c.get(), cert_identity::none), "");
}

TEST(PeerIdentity, FirstTextualSanSkipsIpAddresses) {
  Cert c("san-dns");
  EXPECT_EQ(first_text_san(c.get()), "gw-7.example");
  EXPECT_EQ(certificate_identity(c.get(), cert_identity::san), "gw-7.example");
}

TEST(PeerIdentity, SanInTheCertificatesOrder) {
  Cert c("san-email");
  EXPECT_EQ(first_text_san(c.get()), "ops@example.com");
}

TEST(PeerIdentity, UriSan) {
  Cert c("san-uri");
  EXPECT_EQ(first_text_san(c.get()), "urn:dev:42");
}

TEST(PeerIdentity, NoTextualSan) {
  Cert ip("san-ip-only");
  EXPECT_EQ(first_text_san(ip.get()), "");
  Cert none("client");  // no subjectAltName extension at all
  EXPECT_EQ(first_text_san(none.get()), "");
}

TEST(PeerIdentity, SubjectDnInRfc4514Form) {
  Cert simple("client");
  EXPECT_EQ(subject_dn(simple.get()), "CN=device-7");
  // Last RDN first, a multi-valued RDN joined with '+', special characters and a leading
  // space escaped.
  Cert c("dn");
  const std::string dn = subject_dn(c.get());
  EXPECT_EQ(dn.rfind("CN=\\ dev\\=9,", 0), 0u) << dn;
  EXPECT_NE(dn.find("O=Acme\\, Inc.,C=NL"), std::string::npos) << dn;
  EXPECT_TRUE(dn.find("OU=ops+UID=u7") != std::string::npos ||
              dn.find("UID=u7+OU=ops") != std::string::npos)
      << dn;
  EXPECT_EQ(certificate_identity(c.get(), cert_identity::dn), dn);
}

}  // namespace
}  // namespace edgegw::net::tls
