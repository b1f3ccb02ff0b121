// See tls_engine.hpp.
#include "gateway/net/tls/detail/tls_engine.hpp"

#include <mbedtls/oid.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

#include "gateway/net/tls/tls_error.hpp"

namespace edgegw::net::tls::detail {

namespace {
// One socket read: a full record and its header fit, so a record needs one read at most.
constexpr std::size_t read_chunk = 17 * 1024;
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

std::string engine::certificate_failure() const {
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
  if (mbedtls_ssl_get_peer_cert(&ssl_->ssl) == nullptr) return {};  // allowed: not required
  const uint32_t flags = mbedtls_ssl_get_verify_result(&ssl_->ssl);
  if (flags == 0) return {};
  std::array<char, 512> buf{};
  mbedtls_x509_crt_verify_info(buf.data(), buf.size(), "", flags);
  why = buf.data();
  std::replace(why.begin(), why.end(), '\n', ';');
  while (!why.empty() && why.back() == ';') why.pop_back();
  return make_error_code(errc::peer_cert_rejected);
}

std::string engine::peer_common_name() const {
  const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&ssl_->ssl);
  if (crt == nullptr) return {};
  for (const mbedtls_x509_name* n = &crt->subject; n != nullptr; n = n->next) {
    if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0)
      return std::string(reinterpret_cast<const char*>(n->val.p), n->val.len);
  }
  return {};
}

std::string engine::version_and_cipher() const {
  return std::string(mbedtls_ssl_get_version(&ssl_->ssl)) + "/" +
         mbedtls_ssl_get_ciphersuite(&ssl_->ssl);
}

}  // namespace edgegw::net::tls::detail
