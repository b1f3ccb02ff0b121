// The names a verified client certificate can give as the MQTT username
// (listener.*.peer_cert_as_username): its subject Common Name, its first subjectAltName of
// a textual kind, or its whole subject DN in RFC 4514 form.
#pragma once
#include <cstdint>
#include <string>

struct mbedtls_x509_crt;

namespace edgegw::net::tls {

enum class cert_identity : uint8_t { none, cn, san, dn };

// The subject's first CN attribute; "" when it has none.
std::string common_name(const mbedtls_x509_crt& crt);
// The first subjectAltName, in the certificate's order, that is a dNSName, an rfc822Name
// (e-mail) or a URI; IP addresses and other kinds are skipped. "" when there is none.
std::string first_text_san(const mbedtls_x509_crt& crt);
// The subject DN as RFC 4514 writes it (and as mosquitto's use_subject_as_username gives
// it): last RDN first, "," between RDNs, "+" inside a multi-valued one, short attribute
// names (CN, O, OU, C, ...) or the dotted OID, and ,+"\<>;= escaped with a backslash.
std::string subject_dn(const mbedtls_x509_crt& crt);
// One of the above by `which` ("" for none).
std::string certificate_identity(const mbedtls_x509_crt& crt, cert_identity which);
// "cn", "san", "dn" (for messages).
const char* to_string(cert_identity which) noexcept;

}  // namespace edgegw::net::tls
