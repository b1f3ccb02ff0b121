// See tls_engine.hpp.
#include "gateway/net/tls/detail/tls_engine.hpp"

#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "gateway/net/tls/peer_identity.hpp"
#include "gateway/net/tls/psk_keys.hpp"
#include "gateway/net/tls/tls_error.hpp"

namespace edgegw::net::tls::detail {

namespace {
// One socket read: a full record and its header fit, so a record needs one read at most.
constexpr std::size_t read_chunk = 17 * 1024;

// A client-chosen identity for a log line (inside a "..." value, so in '...'): printable
// ASCII with ' and \\ escaped, bounded.
std::string printable(const unsigned char* p, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n && i < 128; ++i) {
    const unsigned char c = p[i];
    if (c == '\'' || c == '\\') out += '\\';
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (n > 128) out += "...";
  return out;
}
}  // namespace

struct engine::ssl_holder {
  mbedtls_ssl_context ssl;
  ssl_holder() { mbedtls_ssl_init(&ssl); }
  ~ssl_holder() { mbedtls_ssl_free(&ssl); }
  ssl_holder(const ssl_holder&) = delete;
  ssl_holder& operator=(const ssl_holder&) = delete;
};

engine::engine(std::shared_ptr<const server_context> ctx)
    : ctx_(std::move(ctx)), ssl_(std::make_unique<ssl_holder>()) {
  const int r = mbedtls_ssl_setup(&ssl_->ssl, ctx_->config());
  if (r != 0) throw std::runtime_error("tls: mbedtls_ssl_setup: " + describe(r));
  mbedtls_ssl_set_bio(&ssl_->ssl, this, &engine::bio_send, &engine::bio_recv, nullptr);
  if (ctx_->verify_peer()) mbedtls_ssl_set_verify(&ssl_->ssl, &engine::verify, this);
}

// With verify = peer and no certificate required (MBEDTLS_SSL_VERIFY_OPTIONAL), mbedTLS
// would finish the handshake with a certificate that failed verification; an error other
// than X509_CERT_VERIFY_FAILED from here fails it, with an alert, as REQUIRED does.
int engine::verify(void* self, mbedtls_x509_crt*, int, uint32_t* flags) {
  if (*flags == 0) return 0;
  static_cast<engine*>(self)->failed_flags_ |= *flags;
  return MBEDTLS_ERR_SSL_PEER_VERIFY_FAILED;
}

int engine::psk_callback(void* store, mbedtls_ssl_context* ssl, const unsigned char* id,
                         std::size_t len) {
  auto& e = *static_cast<engine*>(ssl->p_bio);
  const std::string_view identity(reinterpret_cast<const char*>(id), len);
  auto key = static_cast<const psk_store*>(store)->find(identity);
  if (!key || key->empty()) {
    e.psk_unknown_ = len == 0 ? std::string("(empty)") : printable(id, len);
    return -1;  // mbedTLS answers with an unknown_psk_identity alert
  }
  const int r =
      mbedtls_ssl_set_hs_psk(ssl, reinterpret_cast<const unsigned char*>(key->data()), key->size());
  if (r != 0) return r;
  e.psk_identity_.assign(identity);
  return 0;
}

std::string engine::failure_detail(int mbedtls_ret) const {
  if (!psk_unknown_.empty()) return "unknown PSK identity '" + psk_unknown_ + "'";
  // With a wrong key the client's Finished does not decrypt or does not match.
  if (!psk_identity_.empty() && (mbedtls_ret == MBEDTLS_ERR_SSL_INVALID_MAC ||
                                 mbedtls_ret == MBEDTLS_ERR_SSL_BAD_HS_FINISHED))
    return "the client's key for PSK identity '" +
           printable(reinterpret_cast<const unsigned char*>(psk_identity_.data()),
                     psk_identity_.size()) +
           "' does not match";
  if (failed_flags_ == 0) return {};
  std::array<char, 512> buf{};
  mbedtls_x509_crt_verify_info(buf.data(), buf.size(), "", failed_flags_);
  std::string why = buf.data();
  std::replace(why.begin(), why.end(), '\n', ';');
  while (!why.empty() && why.back() == ';') why.pop_back();
  return why;
}

engine::~engine() = default;

int engine::bio_send(void* self, const unsigned char* p, std::size_t n) {
  auto& e = *static_cast<engine*>(self);
  e.out_.append(reinterpret_cast<const char*>(p), n);
  return static_cast<int>(n);
}

int engine::bio_recv(void* self, unsigned char* p, std::size_t n) {
  auto& e = *static_cast<engine*>(self);
  const std::size_t have = e.in_end_ - e.in_begin_;
  if (have == 0) return MBEDTLS_ERR_SSL_WANT_READ;
  const std::size_t k = std::min(have, n);
  std::memcpy(p, e.in_.data() + e.in_begin_, k);
  e.in_begin_ += k;
  if (e.in_begin_ == e.in_end_) e.in_begin_ = e.in_end_ = 0;
  return static_cast<int>(k);
}

boost::asio::mutable_buffer engine::input_space() {
  if (in_begin_ > 0 && in_begin_ == in_end_) in_begin_ = in_end_ = 0;
  if (in_.size() < in_end_ + read_chunk) in_.resize(in_end_ + read_chunk);
  return boost::asio::buffer(in_.data() + in_end_, in_.size() - in_end_);
}

int engine::handshake() {
  const int r = mbedtls_ssl_handshake(&ssl_->ssl);
  if (r == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE) {
    // mbedTLS sends no alert here; tell the client why rather than just closing.
    mbedtls_ssl_send_alert_message(&ssl_->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                   MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
  }
  if (r == 0) {
    // The handshake's input buffer is large; an established idle connection keeps none.
    if (in_begin_ == in_end_) std::vector<uint8_t>().swap(in_);
  }
  return r;
}

int engine::read(unsigned char* p, std::size_t n) {
  const int r = mbedtls_ssl_read(&ssl_->ssl, p, n);
  if (r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return 0;
  return r;
}

int engine::write(const unsigned char* p, std::size_t n) {
  return mbedtls_ssl_write(&ssl_->ssl, p, std::min(n, max_record));
}

const int engine::want_read = MBEDTLS_ERR_SSL_WANT_READ;

void engine::alert_bad_certificate() {
  mbedtls_ssl_send_alert_message(&ssl_->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
                                 MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
}

void engine::close_notify() {
  mbedtls_ssl_close_notify(&ssl_->ssl);
}

boost::system::error_code engine::check_peer(std::string& why) const {
  if (!ctx_->verify_peer()) return {};
  const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&ssl_->ssl);
  if (crt == nullptr) return {};  // allowed: not required
  const uint32_t flags = mbedtls_ssl_get_verify_result(&ssl_->ssl);
  if (flags == 0) {
    // The listener takes the client's name from the certificate: one without it cannot
    // be admitted under any name, so it is refused here, with the reason.
    const cert_identity which = ctx_->identity();
    if (which == cert_identity::none || !certificate_identity(*crt, which).empty()) return {};
    why = which == cert_identity::san
              ? "the certificate has no DNS, e-mail or URI subjectAltName (peer_cert_as_username "
                "= san)"
              : std::string("the certificate has no ") +
                    (which == cert_identity::cn ? "subject CN" : "subject DN") +
                    " (peer_cert_as_username = " + to_string(which) + ")";
    return make_error_code(errc::peer_cert_rejected);
  }
  std::array<char, 512> buf{};
  mbedtls_x509_crt_verify_info(buf.data(), buf.size(), "", flags);
  why = buf.data();
  std::replace(why.begin(), why.end(), '\n', ';');
  while (!why.empty() && why.back() == ';') why.pop_back();
  return make_error_code(errc::peer_cert_rejected);
}

std::string engine::peer_common_name() const {
  const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&ssl_->ssl);
  return crt == nullptr ? std::string() : common_name(*crt);
}

std::string engine::peer_identity() const {
  if (!psk_identity_.empty()) return ctx_->psk_identity_as_username() ? psk_identity_ : "";
  // A certificate is only kept when it was verified (check_peer refused the others).
  const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&ssl_->ssl);
  if (crt == nullptr || !ctx_->verify_peer()) return {};
  return certificate_identity(*crt, ctx_->identity());
}

std::string engine::version_and_cipher() const {
  return std::string(mbedtls_ssl_get_version(&ssl_->ssl)) + "/" +
         mbedtls_ssl_get_ciphersuite(&ssl_->ssl);
}

}  // namespace edgegw::net::tls::detail
