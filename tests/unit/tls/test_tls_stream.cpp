// tls_stream over loopback: an accepted socket on our io_context against the mbedTLS test
// client (or a raw TCP peer) on a thread. Every wait is bounded by io_context::run_for.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <random>
#include <thread>

#include "gateway/net/tls/tls_stream.hpp"
#include "test_certs.hpp"
#include "test_client.hpp"

namespace edgegw::net::tls {
namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;
using test::cert_file;

std::vector<uint8_t> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::shared_ptr<const server_context> make_context(verify_mode v = verify_mode::none,
                                                   bool require = false) {
  context_options o;
  o.certfile = cert_file("server.crt");
  o.keyfile = cert_file("server.key");
  o.cacertfile = cert_file("ca.crt");
  o.verify = v;
  o.fail_if_no_peer_cert = require;
  o.key_prefix = "test.";
  return std::make_shared<const server_context>(o);
}

class TlsStream : public ::testing::Test {
 protected:
  // Accepts one connection and starts the handshake on it.
  void accept_and_handshake(std::shared_ptr<const server_context> ctx,
                            std::chrono::milliseconds timeout = 5s) {
    acceptor_.async_accept([this, ctx, timeout](error_code ec, tcp::socket s) {
      ASSERT_FALSE(ec) << ec.message();
      stream_ = std::make_unique<tls_stream>(std::move(s), ctx);
      started_ = std::chrono::steady_clock::now();
      stream_->async_handshake(timeout, [this](error_code hec) {
        handshake_ec_ = hec;
        handshake_done_ = true;
        elapsed_ = std::chrono::steady_clock::now() - started_;
        if (hec) stream_->close();  // as the listeners do: the peer sees the end
        if (after_handshake_) after_handshake_();
      });
    });
  }

  // Runs the io_context until `done` or 10 s.
  void run_until(const std::atomic<bool>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done && std::chrono::steady_clock::now() < deadline) {
      ioc_.run_for(20ms);
      ioc_.restart();
    }
    ASSERT_TRUE(done) << "timed out";
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_{ioc_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
  std::unique_ptr<tls_stream> stream_;
  std::function<void()> after_handshake_;
  std::atomic<bool> handshake_done_{false};
  error_code handshake_ec_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::duration elapsed_{};
};

TEST_F(TlsStream, HandshakeThenDataBothWaysThenCloseNotify) {
  const auto up = random_bytes(100 * 1024, 1);  // several records each way
  std::vector<uint8_t> got(up.size());
  std::atomic<bool> echoed{false};
  after_handshake_ = [&] {
    ASSERT_FALSE(handshake_ec_) << handshake_ec_.message();
    boost::asio::async_read(*stream_, boost::asio::buffer(got), [&](error_code ec, std::size_t) {
      ASSERT_FALSE(ec) << ec.message();
      boost::asio::async_write(*stream_, boost::asio::buffer(got),
                               [&](error_code wec, std::size_t n) {
                                 ASSERT_FALSE(wec) << wec.message();
                                 EXPECT_EQ(n, got.size());
                                 stream_->async_shutdown(false, [&](error_code sec) {
                                   EXPECT_FALSE(sec) << sec.message();
                                   echoed = true;
                                 });
                               });
    });
  };
  accept_and_handshake(make_context());
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    EXPECT_EQ(c.connect(port(), cert_file("ca.crt")), 0);
    EXPECT_EQ(c.write_all(up), 0);
    auto back = c.read_n(up.size());
    EXPECT_EQ(back == up, true) << "echo differs; got " << back.size() << " bytes";
    return c.read_end();
  });
  run_until(echoed);
  EXPECT_EQ(client.get(), MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY);
  EXPECT_EQ(got, up);
  EXPECT_EQ(stream_->peer_common_name(), "");
  EXPECT_NE(stream_->session_info().find("TLSv1.2"), std::string::npos);
}

TEST_F(TlsStream, PeersCloseNotifyIsEof) {
  std::atomic<bool> done{false};
  error_code read_ec;
  std::array<char, 16> buf{};
  after_handshake_ = [&] {
    stream_->async_read_some(boost::asio::buffer(buf), [&](error_code ec, std::size_t) {
      read_ec = ec;
      done = true;
    });
  };
  accept_and_handshake(make_context());
  std::promise<void> release;
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    EXPECT_EQ(c.connect(port(), cert_file("ca.crt")), 0);
    c.close_notify();
    release.get_future().wait_for(10s);
  });
  run_until(done);
  release.set_value();
  client.get();
  EXPECT_EQ(read_ec, boost::asio::error::eof) << read_ec.message();
}

TEST_F(TlsStream, ClientCertificateCommonName) {
  accept_and_handshake(make_context(verify_mode::peer, true));
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    return c.connect(port(), cert_file("ca.crt"), cert_file("client.crt"), cert_file("client.key"));
  });
  run_until(handshake_done_);
  EXPECT_EQ(client.get(), 0);
  ASSERT_FALSE(handshake_ec_) << handshake_ec_.message();
  EXPECT_EQ(stream_->peer_common_name(), "device-7");
}

TEST_F(TlsStream, CertificateIdentityBySan) {
  context_options o;
  o.certfile = cert_file("server.crt");
  o.keyfile = cert_file("server.key");
  o.cacertfile = cert_file("ca.crt");
  o.verify = verify_mode::peer;
  o.identity = cert_identity::san;
  auto ctx = std::make_shared<const server_context>(o);
  accept_and_handshake(ctx);
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    return c.connect(port(), cert_file("ca.crt"), cert_file("san-dns.crt"),
                     cert_file("san-dns.key"));
  });
  run_until(handshake_done_);
  EXPECT_EQ(client.get(), 0);
  ASSERT_FALSE(handshake_ec_) << handshake_ec_.message();
  EXPECT_EQ(stream_->peer_identity(), "gw-7.example");
  EXPECT_EQ(stream_->peer_common_name(), "dev-1");

  // A verified certificate without a DNS, e-mail or URI SAN cannot name the client.
  handshake_done_ = false;
  accept_and_handshake(ctx);
  auto refused = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    return c.connect(port(), cert_file("ca.crt"), cert_file("san-ip-only.crt"),
                     cert_file("san-ip-only.key"));
  });
  run_until(handshake_done_);
  refused.get();  // the alert may reach the client after its handshake finished
  EXPECT_EQ(handshake_ec_, make_error_code(errc::peer_cert_rejected));
  EXPECT_NE(stream_->rejection_detail().find("no DNS, e-mail or URI subjectAltName"),
            std::string::npos)
      << stream_->rejection_detail();
}

TEST_F(TlsStream, PreSharedKeys) {
  context_options o;  // PSK only: no certificate
  o.key_prefix = "test.";
  o.psk = std::make_shared<psk_store>(psk_table{{"dev1", "sixteen byte key"}});
  o.psk_identity_as_username = true;
  auto ctx = std::make_shared<const server_context>(o);
  struct attempt {
    std::string identity, key;
    bool ok;
    std::string detail;
  };
  for (const auto& a : {attempt{"dev1", "sixteen byte key", true, ""},
                        attempt{"dev9", "sixteen byte key", false, "unknown PSK identity 'dev9'"},
                        attempt{"dev1", "sixteen byte kez", false,
                                "the client's key for PSK identity 'dev1' does not match"}}) {
    SCOPED_TRACE(a.identity + "/" + a.key);
    handshake_done_ = false;
    accept_and_handshake(ctx);
    auto client = std::async(std::launch::async, [&] {
      test::tls_test_client c;
      return c.connect_psk(port(), a.identity, a.key);
    });
    run_until(handshake_done_);
    const int r = client.get();
    if (a.ok) {
      EXPECT_EQ(r, 0);
      ASSERT_FALSE(handshake_ec_) << handshake_ec_.message();
      EXPECT_EQ(stream_->psk_identity(), "dev1");
      EXPECT_EQ(stream_->peer_identity(), "dev1");
      EXPECT_NE(stream_->session_info().find("PSK"), std::string::npos);
    } else {
      EXPECT_NE(r, 0);
      ASSERT_TRUE(handshake_ec_);
      EXPECT_EQ(stream_->rejection_detail(), a.detail);
    }
  }
}

TEST_F(TlsStream, CertificateOfAnotherCaIsRefused) {
  for (bool require : {false, true}) {
    SCOPED_TRACE(require ? "fail_if_no_peer_cert" : "certificate optional");
    handshake_done_ = false;
    accept_and_handshake(make_context(verify_mode::peer, require));
    auto client = std::async(std::launch::async, [&] {
      test::tls_test_client c;
      return c.connect(port(), cert_file("ca.crt"), cert_file("rogue.crt"), cert_file("rogue.key"));
    });
    run_until(handshake_done_);
    EXPECT_NE(client.get(), 0);  // the server's alert
    ASSERT_TRUE(handshake_ec_);
    EXPECT_EQ(&handshake_ec_.category(), &category());
    EXPECT_NE(handshake_ec_.message().find("Verification of our peer failed"), std::string::npos)
        << handshake_ec_.message();
    EXPECT_NE(stream_->rejection_detail().find("not correctly signed"), std::string::npos)
        << stream_->rejection_detail();
  }
}

TEST_F(TlsStream, NoClientCertificateWhenRequired) {
  accept_and_handshake(make_context(verify_mode::peer, true));
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    return c.connect(port(), cert_file("ca.crt"));
  });
  run_until(handshake_done_);
  EXPECT_NE(client.get(), 0);
  ASSERT_TRUE(handshake_ec_);
  EXPECT_NE(handshake_ec_.message().find("No client certification"), std::string::npos)
      << handshake_ec_.message();
}

TEST_F(TlsStream, ClientThatDistrustsUsFailsTheHandshake) {
  accept_and_handshake(make_context());
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    return c.connect(port(), cert_file("other-ca.crt"));
  });
  run_until(handshake_done_);
  EXPECT_EQ(client.get(), MBEDTLS_ERR_X509_CERT_VERIFY_FAILED);
  EXPECT_TRUE(handshake_ec_);  // the client's fatal alert
}

TEST_F(TlsStream, HandshakeTimeout) {
  accept_and_handshake(make_context(), 300ms);
  boost::asio::io_context peer_ioc;
  tcp::socket silent(peer_ioc);
  silent.connect(acceptor_.local_endpoint());  // says nothing
  run_until(handshake_done_);
  EXPECT_EQ(handshake_ec_, errc::handshake_timeout) << handshake_ec_.message();
  EXPECT_GE(elapsed_, 300ms);
  EXPECT_LT(elapsed_, 5s);
  // The server closed the socket: the silent peer reads eof (or a reset).
  std::array<char, 16> buf{};
  error_code ec;
  silent.read_some(boost::asio::buffer(buf), ec);
  EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
      << ec.message();
}

TEST_F(TlsStream, GarbageFailsTheHandshakeWithAReason) {
  const std::vector<std::vector<uint8_t>> inputs = {
      random_bytes(600, 7),
      {'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1', '.', '1', '\r', '\n'},
      {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0xff, 0xff, 0xff, 0xff},  // a nonsense ClientHello
      {0x10, 0x0c, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x00}};
  for (const auto& in : inputs) {
    handshake_done_ = false;
    accept_and_handshake(make_context());
    boost::asio::io_context peer_ioc;
    tcp::socket peer(peer_ioc);
    peer.connect(acceptor_.local_endpoint());
    boost::asio::write(peer, boost::asio::buffer(in));
    run_until(handshake_done_);
    ASSERT_TRUE(handshake_ec_);
    EXPECT_NE(handshake_ec_, errc::handshake_timeout);
    EXPECT_EQ(&handshake_ec_.category(), &category());
    EXPECT_FALSE(handshake_ec_.message().empty());
    EXPECT_LT(elapsed_, 4s);
    stream_->close();
  }
}

TEST_F(TlsStream, PostHandshakeGarbageFailsTheRead) {
  std::atomic<bool> done{false};
  error_code read_ec;
  std::array<char, 64> buf{};
  after_handshake_ = [&] {
    stream_->async_read_some(boost::asio::buffer(buf), [&](error_code ec, std::size_t) {
      read_ec = ec;
      done = true;
    });
  };
  accept_and_handshake(make_context());
  std::promise<void> release;
  auto client = std::async(std::launch::async, [&] {
    test::tls_test_client c;
    EXPECT_EQ(c.connect(port(), cert_file("ca.crt")), 0);
    c.send_raw({0x17, 0x03, 0x03, 0x00, 0x20, 1,  2,  3,  4,  5,  6,  7,  8,
                9,    10,   11,   12,   13,   14, 15, 16, 17, 18, 19, 20, 21,
                22,   23,   24,   25,   26,   27, 28, 29, 30, 31, 32});
    release.get_future().wait_for(10s);
  });
  run_until(done);
  release.set_value();
  client.get();
  EXPECT_TRUE(read_ec);
  EXPECT_EQ(&read_ec.category(), &category()) << read_ec.message();
}

}  // namespace
}  // namespace edgegw::net::tls
