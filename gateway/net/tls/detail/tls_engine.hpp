// The Sans-I/O half of tls_stream: one mbedTLS SSL context whose BIO callbacks read from
// an input buffer (filled by the stream's socket reads) and append to an output string
// (drained by its socket writes). Never blocks: where mbedTLS needs more bytes, a step
// returns MBEDTLS_ERR_SSL_WANT_READ and the stream reads the socket.
// Owner: the stream's executor (one operation of each direction at a time).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gateway/api/asio.hpp"
#include "gateway/net/tls/tls_context.hpp"

struct mbedtls_x509_crt;
struct mbedtls_ssl_context;

namespace edgegw::net::tls::detail {

class engine {
 public:
  explicit engine(std::shared_ptr<const server_context> ctx);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // mbedTLS semantics: 0 / bytes on success, MBEDTLS_ERR_SSL_WANT_READ, or an error.
  int handshake();
  int read(unsigned char* p, std::size_t n);  // 0: the peer's close_notify
  int write(const unsigned char* p, std::size_t n);
  void close_notify();
  // A fatal bad_certificate alert (after check_peer refused the client's certificate).
  void alert_bad_certificate();
  bool has_input() const noexcept { return in_end_ > in_begin_; }
  static const int want_read;  // MBEDTLS_ERR_SSL_WANT_READ

  // After a successful handshake: a sent client certificate that failed verification
  // (with verify = peer) is refused here; the reason in words goes to `why`.
  boost::system::error_code check_peer(std::string& why) const;
  // Why the handshake failed, beyond mbedTLS's error: the client's certificate, an unknown
  // PSK identity or a PSK that does not match ("" when there is nothing to add).
  std::string failure_detail(int mbedtls_ret) const;
  std::string peer_common_name() const;
  // The listener's identity of the client (server_context::identity() of a verified
  // certificate, or the PSK identity with psk_identity_as_username); "" when none.
  std::string peer_identity() const;
  // The PSK identity the client used ("" for a certificate session).
  const std::string& psk_identity() const noexcept { return psk_identity_; }

  // mbedtls_ssl_conf_psk_cb's callback; `store` is the context's psk_store and the
  // engine is found through the SSL context's BIO pointer.
  static int psk_callback(void* store, mbedtls_ssl_context* ssl, const unsigned char* id,
                          std::size_t len);
  std::string version_and_cipher() const;

  // Bytes mbedTLS wants sent; the stream swaps them out and writes them.
  std::string& output() noexcept { return out_; }
  // Room for the next socket read, and the count it brought.
  boost::asio::mutable_buffer input_space();
  void commit_input(std::size_t n) noexcept { in_end_ += n; }
  // Give the input buffer back once everything in it was consumed: an idle connection
  // then holds only mbedTLS's own record buffers.
  void release_input() noexcept {
    if (in_begin_ != in_end_) return;
    in_begin_ = in_end_ = 0;
    std::vector<uint8_t>().swap(in_);
  }
  // Largest plaintext one write() takes (one record).
  static constexpr std::size_t max_record = 16384;

 private:
  static int bio_send(void* self, const unsigned char* p, std::size_t n);
  static int bio_recv(void* self, unsigned char* p, std::size_t n);
  static int verify(void* self, mbedtls_x509_crt* crt, int depth, uint32_t* flags);

  struct ssl_holder;
  std::shared_ptr<const server_context> ctx_;
  std::unique_ptr<ssl_holder> ssl_;
  std::vector<uint8_t> in_;  // [in_begin_, in_end_) not yet given to mbedTLS
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  std::string out_;
  uint32_t failed_flags_ = 0;  // mbedTLS verification flags of a refused certificate
  std::string psk_identity_;   // accepted by psk_callback
  std::string psk_unknown_;    // refused by psk_callback (printable form)
};

}  // namespace edgegw::net::tls::detail
