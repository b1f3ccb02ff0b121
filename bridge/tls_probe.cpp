// See tls_probe.hpp.
#include "tls_probe.hpp"

#include <boost/asio/ssl.hpp>
#include <charconv>

namespace edgegw::bridge {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

class probe final : public tls_probe, public std::enable_shared_from_this<probe> {
 public:
  probe(asio::io_context& io, tls_probe_settings s, std::function<void(std::string)> done)
      : s_(std::move(s)),
        ssl_(asio::ssl::context::tls_client),
        stream_(io, ssl_),
        resolver_(io),
        timer_(io),
        done_(std::move(done)) {}

  void start() {
    try {
      if (!s_.cacertfile.empty())
        ssl_.load_verify_file(s_.cacertfile);
      else
        ssl_.set_default_verify_paths();
      if (!s_.certfile.empty()) ssl_.use_certificate_chain_file(s_.certfile);
      if (!s_.keyfile.empty()) ssl_.use_private_key_file(s_.keyfile, asio::ssl::context::pem);
      if (s_.verify) {
        stream_.set_verify_mode(asio::ssl::verify_peer);
        stream_.set_verify_callback(asio::ssl::host_name_verification(s_.host));
      } else {
        stream_.set_verify_mode(asio::ssl::verify_none);
      }
      SSL_set_tlsext_host_name(stream_.native_handle(), s_.host.c_str());
    } catch (const boost::system::system_error& e) {
      finish(e.code().message());
      return;
    }
    timer_.expires_after(s_.timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      self->stop_io();
      self->finish("TLS handshake timed out");
    });
    resolver_.async_resolve(
        s_.host, std::to_string(s_.port),
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    const tcp::resolver::results_type& r) {
          if (self->finished_) return;
          if (ec) return self->finish("cannot resolve " + self->s_.host + ": " + ec.message());
          asio::async_connect(self->stream_.lowest_layer(), r,
                              [self](const boost::system::error_code& ec2, const tcp::endpoint&) {
                                if (self->finished_) return;
                                if (ec2) return self->finish("TCP connect: " + ec2.message());
                                self->handshake();
                              });
        });
  }

  void cancel() override {
    done_ = nullptr;
    stop_io();
    finished_ = true;
  }

 private:
  void handshake() {
    stream_.async_handshake(asio::ssl::stream_base::client,
                            [self = shared_from_this()](const boost::system::error_code& ec) {
                              if (self->finished_) return;
                              self->finish(ec ? ec.message() : std::string());
                            });
  }

  void stop_io() {
    boost::system::error_code ignored;
    timer_.cancel();
    resolver_.cancel();
    stream_.lowest_layer().close(ignored);
  }

  void finish(std::string why) {
    if (finished_) return;
    finished_ = true;
    stop_io();
    if (auto d = std::move(done_)) d(std::move(why));
  }

  tls_probe_settings s_;
  asio::ssl::context ssl_;
  asio::ssl::stream<tcp::socket> stream_;
  tcp::resolver resolver_;
  asio::steady_timer timer_;
  std::function<void(std::string)> done_;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<tls_probe> start_tls_probe(asio::io_context& io, tls_probe_settings s,
                                           std::function<void(std::string)> done) {
  auto p = std::make_shared<probe>(io, std::move(s), std::move(done));
  p->start();
  return p;
}

bool split_host_port(const std::string& uri, std::string& host, uint16_t& port) {
  auto scheme = uri.find("://");
  std::string rest = scheme == std::string::npos ? uri : uri.substr(scheme + 3);
  auto colon = rest.rfind(':');
  if (colon == std::string::npos || colon + 1 >= rest.size()) return false;
  host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned v = 0;
  auto ps = rest.data() + colon + 1, pe = rest.data() + rest.size();
  auto [p, ec] = std::from_chars(ps, pe, v);
  if (ec != std::errc() || p != pe || v == 0 || v > 65535 || host.empty()) return false;
  port = static_cast<uint16_t>(v);
  return true;
}

}  // namespace edgegw::bridge
