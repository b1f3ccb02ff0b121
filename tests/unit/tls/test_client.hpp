// A blocking mbedTLS client for the tests, run on its own thread: connects to 127.0.0.1,
// trusts `ca`, optionally presents a certificate, and exchanges bytes.
#pragma once
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace edgegw::test {

class tls_test_client {
 public:
  tls_test_client() {
    mbedtls_net_init(&net_);
    mbedtls_ssl_init(&ssl_);
    mbedtls_ssl_config_init(&conf_);
    mbedtls_x509_crt_init(&ca_);
    mbedtls_x509_crt_init(&own_);
    mbedtls_pk_init(&key_);
    mbedtls_entropy_init(&entropy_);
    mbedtls_ctr_drbg_init(&drbg_);
  }
  ~tls_test_client() {
    mbedtls_net_free(&net_);
    mbedtls_ssl_free(&ssl_);
    mbedtls_ssl_config_free(&conf_);
    mbedtls_x509_crt_free(&ca_);
    mbedtls_x509_crt_free(&own_);
    mbedtls_pk_free(&key_);
    mbedtls_ctr_drbg_free(&drbg_);
    mbedtls_entropy_free(&entropy_);
  }
  tls_test_client(const tls_test_client&) = delete;
  tls_test_client& operator=(const tls_test_client&) = delete;

  // 0 or the mbedTLS error of the connect or the handshake.
  int connect(uint16_t port, const std::string& ca, const std::string& cert = {},
              const std::string& key = {}) {
    int r = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, nullptr, 0);
    if (r == 0) r = mbedtls_x509_crt_parse_file(&ca_, ca.c_str());
    if (r == 0 && !cert.empty()) r = mbedtls_x509_crt_parse_file(&own_, cert.c_str());
    if (r == 0 && !key.empty()) r = mbedtls_pk_parse_keyfile(&key_, key.c_str(), nullptr);
    if (r == 0)
      r = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) return r;
    mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
    mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
    mbedtls_ssl_conf_ca_chain(&conf_, &ca_, nullptr);
    if (!cert.empty()) mbedtls_ssl_conf_own_cert(&conf_, &own_, &key_);
    if ((r = mbedtls_ssl_setup(&ssl_, &conf_)) != 0) return r;
    if ((r = mbedtls_ssl_set_hostname(&ssl_, "localhost")) != 0) return r;
    const std::string p = std::to_string(port);
    if ((r = mbedtls_net_connect(&net_, "127.0.0.1", p.c_str(), MBEDTLS_NET_PROTO_TCP)) != 0)
      return r;
    mbedtls_ssl_set_bio(&ssl_, &net_, mbedtls_net_send, mbedtls_net_recv, nullptr);
    return mbedtls_ssl_handshake(&ssl_);
  }

  // 0 or the mbedTLS error of the connect or a PSK handshake (PSK suites only).
  int connect_psk(uint16_t port, const std::string& identity, const std::string& key) {
    int r = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, nullptr, 0);
    if (r == 0)
      r = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                      MBEDTLS_SSL_PRESET_DEFAULT);
    if (r != 0) return r;
    mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
    static const int psk_suites[] = {MBEDTLS_TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256,
                                     MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, 0};
    mbedtls_ssl_conf_ciphersuites(&conf_, psk_suites);
    r = mbedtls_ssl_conf_psk(&conf_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                             reinterpret_cast<const unsigned char*>(identity.data()),
                             identity.size());
    if (r != 0) return r;
    if ((r = mbedtls_ssl_setup(&ssl_, &conf_)) != 0) return r;
    const std::string p = std::to_string(port);
    if ((r = mbedtls_net_connect(&net_, "127.0.0.1", p.c_str(), MBEDTLS_NET_PROTO_TCP)) != 0)
      return r;
    mbedtls_ssl_set_bio(&ssl_, &net_, mbedtls_net_send, mbedtls_net_recv, nullptr);
    return mbedtls_ssl_handshake(&ssl_);
  }

  int write_all(const std::vector<uint8_t>& data) {
    std::size_t done = 0;
    while (done < data.size()) {
      const int r = mbedtls_ssl_write(&ssl_, data.data() + done, data.size() - done);
      if (r < 0) return r;
      done += static_cast<std::size_t>(r);
    }
    return 0;
  }

  // Reads exactly n bytes (or returns fewer at an error / close).
  std::vector<uint8_t> read_n(std::size_t n) {
    std::vector<uint8_t> out;
    std::array<uint8_t, 4096> buf{};
    while (out.size() < n) {
      const int r = mbedtls_ssl_read(&ssl_, buf.data(), std::min(buf.size(), n - out.size()));
      if (r <= 0) {
        last_ = r;
        break;
      }
      out.insert(out.end(), buf.data(), buf.data() + r);
    }
    return out;
  }

  // The return of one more read (MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY after a close_notify).
  int read_end() {
    std::array<uint8_t, 64> buf{};
    return mbedtls_ssl_read(&ssl_, buf.data(), buf.size());
  }
  int last_error() const { return last_; }
  void close_notify() { mbedtls_ssl_close_notify(&ssl_); }
  // Bytes straight onto the TCP connection, past TLS (a forged record).
  void send_raw(const std::vector<uint8_t>& bytes) {
    mbedtls_net_send(&net_, bytes.data(), bytes.size());
  }

 private:
  mbedtls_net_context net_;
  mbedtls_ssl_context ssl_;
  mbedtls_ssl_config conf_;
  mbedtls_x509_crt ca_;
  mbedtls_x509_crt own_;
  mbedtls_pk_context key_;
  mbedtls_entropy_context entropy_;
  mbedtls_ctr_drbg_context drbg_;
  int last_ = 0;
};

}  // namespace edgegw::test
