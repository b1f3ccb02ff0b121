// A server-side TLS context built from a listener's configuration: certificate chain and
// key, the CA chain that verifies client certificates, the client-certificate policy,
// cipher suites and lowest protocol version. Immutable once built and shared by every
// connection of the listener, on any I/O thread (mbedTLS is built with
// MBEDTLS_THREADING_C, so the shared random generator and ticket keys are locked).
// Highest version is TLS 1.2: mbedTLS 2.28 has no server-side TLS 1.3.
// With pre-shared keys the certificate is optional (a PSK-only listener); clients pick
// PSK or certificate suites by what they offer.
#pragma once
#include <memory>
#include <string>

#include "gateway/net/tls/peer_identity.hpp"
#include "gateway/net/tls/psk_keys.hpp"

struct mbedtls_ssl_config;

namespace edgegw::net::tls {

enum class verify_mode { none, peer };

struct context_options {
  std::string certfile;    // server certificate chain (PEM), leaf first; "" with psk only
  std::string keyfile;     // its private key (PEM)
  std::string cacertfile;  // CAs that verify client certificates (PEM); needed for peer
  verify_mode verify = verify_mode::none;
  bool fail_if_no_peer_cert = false;  // with peer: a client without a certificate fails
  std::string ciphers;                // "A:B" or "A,B" (mbedTLS/IANA names); empty = default
  std::string min_version = "1.2";    // "1.0" | "1.1" | "1.2"
  bool session_tickets = true;        // RFC 5077 resumption (cheap reconnects)
  // Which name of a verified client certificate the stream reports as its identity;
  // with anything but none, a certificate that lacks it is refused in the handshake.
  cert_identity identity = cert_identity::none;
  // Pre-shared keys (null: no PSK suites). Shared with the SIGHUP reloader.
  std::shared_ptr<psk_store> psk;
  bool psk_identity_as_username = false;  // the stream reports a PSK client's identity
  // Prefix of the configuration keys, e.g. "listener.ssl.default.", used in error messages.
  std::string key_prefix;
};

class server_context {
 public:
  // Throws std::runtime_error with a one-line reason that names the key and the file
  // (missing, unreadable, not PEM, key not matching the certificate, unknown cipher ...).
  explicit server_context(const context_options& opts);
  ~server_context();
  server_context(const server_context&) = delete;
  server_context& operator=(const server_context&) = delete;

  const mbedtls_ssl_config* config() const noexcept;
  bool verify_peer() const noexcept;
  cert_identity identity() const noexcept;
  bool psk_identity_as_username() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace edgegw::net::tls
