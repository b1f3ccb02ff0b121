// server_context refuses unusable settings with one line naming the key and the file.
#include <gtest/gtest.h>

#include "gateway/net/tls/tls_context.hpp"
#include "test_certs.hpp"

namespace edgegw::net::tls {
namespace {

using test::cert_file;

context_options valid() {
  context_options o;
  o.certfile = cert_file("server.crt");
  o.keyfile = cert_file("server.key");
  o.key_prefix = "listener.ssl.x.";
  return o;
}

std::string error_of(const context_options& o) {
  try {
    server_context c(o);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TlsContext, ValidSettingsBuild) {
  EXPECT_NO_THROW(server_context c(valid()));
  auto o = valid();
  o.verify = verify_mode::peer;
  o.cacertfile = cert_file("ca.crt");
  o.ciphers = "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256:TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384";
  o.min_version = "1.1";
  EXPECT_NO_THROW(server_context c(o));
}

TEST(TlsContext, MissingFilesNameKeyAndFile) {
  auto o = valid();
  o.certfile = "/nonexistent/server.crt";
  auto e = error_of(o);
  EXPECT_NE(e.find("listener.ssl.x.certfile (/nonexistent/server.crt)"), std::string::npos) << e;
  EXPECT_NE(e.find("No such file"), std::string::npos) << e;
  o = valid();
  o.keyfile = "";
  e = error_of(o);
  EXPECT_NE(e.find("listener.ssl.x.keyfile is required"), std::string::npos) << e;
}

TEST(TlsContext, WrongContentsNameKeyAndFile) {
  auto o = valid();
  o.certfile = cert_file("server.key");  // a key where a certificate belongs
  auto e = error_of(o);
  EXPECT_NE(e.find("listener.ssl.x.certfile"), std::string::npos) << e;
  o = valid();
  o.keyfile = cert_file("client.key");
  e = error_of(o);
  EXPECT_NE(e.find("does not match"), std::string::npos) << e;
  o = valid();
  o.keyfile = cert_file("server.crt");
  e = error_of(o);
  EXPECT_NE(e.find("listener.ssl.x.keyfile"), std::string::npos) << e;
}

TEST(TlsContext, PolicyErrors) {
  auto o = valid();
  o.verify = verify_mode::peer;
  EXPECT_NE(error_of(o).find("cacertfile is required"), std::string::npos);
  o = valid();
  o.ciphers = "TLS-NOPE";
  EXPECT_NE(error_of(o).find("unknown cipher suite TLS-NOPE"), std::string::npos);
  o = valid();
  o.min_version = "1.3";
  EXPECT_NE(error_of(o).find("tls_min_version"), std::string::npos);
}

TEST(TlsContext, PskOnlyListenerNeedsNoCertificate) {
  context_options o;
  o.key_prefix = "listener.ssl.x.";
  o.psk = std::make_shared<psk_store>(psk_table{{"dev1", "k"}});
  o.psk_identity_as_username = true;
  EXPECT_NO_THROW(server_context c(o));
  o.psk = std::make_shared<psk_store>(psk_table{});
  EXPECT_NE(error_of(o).find("psk_file holds no key"), std::string::npos) << error_of(o);
  // A certificate beside the keys needs both of its files.
  o.psk = std::make_shared<psk_store>(psk_table{{"dev1", "k"}});
  o.certfile = cert_file("server.crt");
  EXPECT_NE(error_of(o).find("listener.ssl.x.keyfile is required"), std::string::npos);
  o.keyfile = cert_file("server.key");
  EXPECT_NO_THROW(server_context c(o));
}

TEST(TlsContext, NoCertificateAndNoKeysSaysWhatIsMissing) {
  context_options o;
  o.key_prefix = "listener.ssl.x.";
  const auto e = error_of(o);
  EXPECT_NE(e.find("listener.ssl.x.certfile is required"), std::string::npos) << e;
  EXPECT_NE(e.find("PSK-only"), std::string::npos) << e;
}

TEST(TlsContext, PskIdentityAsUsernameNeedsKeys) {
  auto o = valid();
  o.psk_identity_as_username = true;
  EXPECT_NE(error_of(o).find("psk_identity_as_username needs psk_identity or psk_file"),
            std::string::npos)
      << error_of(o);
}

}  // namespace
}  // namespace edgegw::net::tls
