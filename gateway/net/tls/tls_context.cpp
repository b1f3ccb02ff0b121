// See tls_context.hpp. Files are read here (not by mbedTLS) so that a missing or
// unreadable file is reported with the system's reason rather than a generic parse error.
#include "gateway/net/tls/tls_context.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_ciphersuites.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "gateway/net/tls/detail/tls_engine.hpp"
#include "gateway/net/tls/tls_error.hpp"

namespace edgegw::net::tls {

namespace {

[[noreturn]] void fail(const context_options& o, const char* key, const std::string& file,
                       const std::string& why) {
  throw std::runtime_error(o.key_prefix + key + " (" + file + "): " + why);
}

// The file's bytes plus a terminating NUL (mbedTLS's PEM parsers want one).
std::vector<unsigned char> read_file(const context_options& o, const char* key,
                                     const std::string& path) {
  if (path.empty()) throw std::runtime_error(o.key_prefix + key + " is required and empty");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(o, key, path, std::string("cannot open: ") + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail(o, key, path, std::string("cannot read: ") + std::strerror(errno));
  const std::string s = ss.str();
  std::vector<unsigned char> v(s.begin(), s.end());
  v.push_back(0);
  return v;
}

void load_certs(const context_options& o, const char* key, const std::string& path,
                mbedtls_x509_crt& crt) {
  auto data = read_file(o, key, path);
  const int r = mbedtls_x509_crt_parse(&crt, data.data(), data.size());
  if (r < 0) fail(o, key, path, "not a PEM certificate: " + describe(r));
  if (r > 0) fail(o, key, path, std::to_string(r) + " certificate(s) could not be parsed");
}

std::vector<int> parse_ciphers(const context_options& o) {
  std::vector<int> ids;
  std::string name;
  auto flush = [&] {
    if (name.empty()) return;
    const int id = mbedtls_ssl_get_ciphersuite_id(name.c_str());
    if (id == 0) throw std::runtime_error(o.key_prefix + "ciphers: unknown cipher suite " + name);
    ids.push_back(id);
    name.clear();
  };
  for (char c : o.ciphers) {
    if (c == ':' || c == ',' || c == ' ') {
      flush();
    } else {
      name += c;
    }
  }
  flush();
  if (!ids.empty()) ids.push_back(0);
  return ids;
}

int minor_version(const context_options& o) {
  if (o.min_version == "1.0") return MBEDTLS_SSL_MINOR_VERSION_1;
  if (o.min_version == "1.1") return MBEDTLS_SSL_MINOR_VERSION_2;
  if (o.min_version == "1.2") return MBEDTLS_SSL_MINOR_VERSION_3;
  throw std::runtime_error(o.key_prefix + "tls_min_version: " + o.min_version +
                           " is not one of 1.0, 1.1, 1.2");
}

}  // namespace

struct server_context::impl {
  mbedtls_ssl_config conf;
  mbedtls_x509_crt chain;
  mbedtls_x509_crt ca;
  mbedtls_pk_context key;
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_ssl_ticket_context tickets;
  std::vector<int> ciphers;        // referenced by conf: lives as long as it
  std::shared_ptr<psk_store> psk;  // referenced by conf's PSK callback
  bool verify_peer = false;
  cert_identity identity = cert_identity::none;
  bool psk_as_username = false;

  impl() {
    mbedtls_ssl_config_init(&conf);
    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&ca);
    mbedtls_pk_init(&key);
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_ssl_ticket_init(&tickets);
  }
  ~impl() {
    mbedtls_ssl_ticket_free(&tickets);
    mbedtls_ssl_config_free(&conf);
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&ca);
    mbedtls_pk_free(&key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
};

server_context::server_context(const context_options& o) : impl_(std::make_unique<impl>()) {
  auto& m = *impl_;
  const int minor = minor_version(o);
  m.ciphers = parse_ciphers(o);

  m.psk = o.psk;
  m.identity = o.identity;
  m.psk_as_username = o.psk_identity_as_username;
  // A PSK-only listener has no certificate; otherwise both files are needed.
  const bool has_cert = !(m.psk && o.certfile.empty() && o.keyfile.empty());
  if (m.psk_as_username && !m.psk)
    throw std::runtime_error(o.key_prefix +
                             "psk_identity_as_username needs psk_identity or psk_file");
  if (!has_cert && m.psk->size() == 0)
    throw std::runtime_error(o.key_prefix + "psk_file holds no key and no certfile is set");
  if (!m.psk && o.certfile.empty())
    throw std::runtime_error(o.key_prefix +
                             "certfile is required and empty (or set psk_identity or psk_file "
                             "for a PSK-only listener)");
  if (has_cert) load_certs(o, "certfile", o.certfile, m.chain);
  if (has_cert) {
    auto data = read_file(o, "keyfile", o.keyfile);
    const int r = mbedtls_pk_parse_key(&m.key, data.data(), data.size(), nullptr, 0);
    if (r != 0) fail(o, "keyfile", o.keyfile, "not a usable PEM private key: " + describe(r));
    if (mbedtls_pk_check_pair(&m.chain.pk, &m.key) != 0)
      fail(o, "keyfile", o.keyfile, "does not match the certificate in " + o.certfile);
  }
  m.verify_peer = o.verify == verify_mode::peer;
  if (m.verify_peer) {
    if (o.cacertfile.empty())
      throw std::runtime_error(o.key_prefix + "cacertfile is required with verify = peer");
    load_certs(o, "cacertfile", o.cacertfile, m.ca);
  } else if (!o.cacertfile.empty()) {
    load_certs(o, "cacertfile", o.cacertfile, m.ca);  // checked even if unused
  }

  static const char personalisation[] = "edgegw tls server";
  int r = mbedtls_ctr_drbg_seed(&m.drbg, mbedtls_entropy_func, &m.entropy,
                                reinterpret_cast<const unsigned char*>(personalisation),
                                sizeof personalisation - 1);
  if (r != 0) throw std::runtime_error("tls: cannot seed the random generator: " + describe(r));
  r = mbedtls_ssl_config_defaults(&m.conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                  MBEDTLS_SSL_PRESET_DEFAULT);
  if (r != 0) throw std::runtime_error("tls: " + describe(r));
  mbedtls_ssl_conf_rng(&m.conf, mbedtls_ctr_drbg_random, &m.drbg);
  mbedtls_ssl_conf_min_version(&m.conf, MBEDTLS_SSL_MAJOR_VERSION_3, minor);
  mbedtls_ssl_conf_max_version(&m.conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
  if (!m.ciphers.empty()) mbedtls_ssl_conf_ciphersuites(&m.conf, m.ciphers.data());
  if (has_cert) {
    r = mbedtls_ssl_conf_own_cert(&m.conf, &m.chain, &m.key);
    if (r != 0) fail(o, "certfile", o.certfile, describe(r));
  }
  // Only with keys: mbedTLS then offers the PSK suites the client asks for (a listener
  // without keys never selects one).
  if (m.psk) mbedtls_ssl_conf_psk_cb(&m.conf, &detail::engine::psk_callback, m.psk.get());
  // OPTIONAL when a certificate is not required: the handshake goes on and the stream
  // rejects a certificate that was sent and failed verification (tls_stream.cpp).
  mbedtls_ssl_conf_authmode(&m.conf, !m.verify_peer           ? MBEDTLS_SSL_VERIFY_NONE
                                     : o.fail_if_no_peer_cert ? MBEDTLS_SSL_VERIFY_REQUIRED
                                                              : MBEDTLS_SSL_VERIFY_OPTIONAL);
  if (m.verify_peer) mbedtls_ssl_conf_ca_chain(&m.conf, &m.ca, nullptr);
  if (o.session_tickets) {
    r = mbedtls_ssl_ticket_setup(&m.tickets, mbedtls_ctr_drbg_random, &m.drbg,
                                 MBEDTLS_CIPHER_AES_256_GCM, 86400);
    if (r != 0) throw std::runtime_error("tls: session tickets: " + describe(r));
    mbedtls_ssl_conf_session_tickets_cb(&m.conf, mbedtls_ssl_ticket_write, mbedtls_ssl_ticket_parse,
                                        &m.tickets);
  }
}

server_context::~server_context() = default;

const mbedtls_ssl_config* server_context::config() const noexcept {
  return &impl_->conf;
}
bool server_context::verify_peer() const noexcept {
  return impl_->verify_peer;
}
cert_identity server_context::identity() const noexcept {
  return impl_->identity;
}
bool server_context::psk_identity_as_username() const noexcept {
  return impl_->psk_as_username;
}

}  // namespace edgegw::net::tls
