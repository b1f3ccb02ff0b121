// Test certificates made once per process with the openssl CLI in a temporary directory:
// ca, other-ca, server (127.0.0.1/localhost, signed by ca), client (CN=device-7, by ca),
// rogue (CN=rogue, by other-ca), and, by ca, the subjectAltName and DN cases of
// peer_identity: san-dns, san-email, san-uri, san-ip-only, dn; each as NAME.crt and NAME.key.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace edgegw::test {

inline const std::filesystem::path& cert_dir() {
  static const std::filesystem::path dir = [] {
    char tmpl[] = "/tmp/egw-tls-unit-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    const std::string d = tmpl;
    const std::string script =
        "cd " + d +
        " && ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout $1.key -out $1.crt -days 2 -subj \"/CN=$2\"; }"
        " && leaf() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
        "-keyout $1.key -out $1.csr -subj \"$2\" && printf '%s\\n' \"$4\" > $1.ext && "
        "openssl x509 -req -in $1.csr -CA $3.crt -CAkey $3.key -CAcreateserial -out $1.crt "
        "-days 2 -extfile $1.ext; }"
        " && ca ca 'edgegw test CA' && ca other-ca 'unrelated CA'"
        " && leaf server /CN=localhost ca 'subjectAltName=IP:127.0.0.1,DNS:localhost'"
        " && leaf client /CN=device-7 ca 'basicConstraints=CA:FALSE'"
        " && leaf rogue /CN=rogue other-ca 'basicConstraints=CA:FALSE'"
        " && leaf san-dns /CN=dev-1 ca "
        "'subjectAltName=IP:10.0.0.1,DNS:gw-7.example,email:ops@example.com'"
        " && leaf san-email /CN=dev-2 ca 'subjectAltName=email:ops@example.com,DNS:b.example'"
        " && leaf san-uri /CN=dev-3 ca 'subjectAltName=URI:urn:dev:42'"
        " && leaf san-ip-only /CN=dev-4 ca 'subjectAltName=IP:10.0.0.2'"
        " && leaf dn '/C=NL/O=Acme, Inc./OU=ops+UID=u7/CN= dev=9' ca "
        "'basicConstraints=CA:FALSE'";
    const std::string cmd = "sh -c \"" + [&] {
      std::string e;
      for (char c : script) {
        if (c == '"' || c == '\\' || c == '$' || c == '`') e += '\\';
        e += c;
      }
      return e;
    }() + "\" >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("openssl failed in " + d);
    return std::filesystem::path(d);
  }();
  static const struct cleanup {
    ~cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(cert_dir_path(), ec);
    }
    static const std::filesystem::path& cert_dir_path() { return dir; }
  } remove_at_exit;
  return dir;
}

inline std::string cert_file(const std::string& name) {
  return (cert_dir() / name).string();
}

}  // namespace edgegw::test
