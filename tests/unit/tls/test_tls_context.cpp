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

}  // namespace
}  // namespace edgegw::net::tls
