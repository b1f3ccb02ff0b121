// See api_service.hpp. One coroutine per connection: read a request (bounded header and
// body), check basic auth, route, write, repeat while keep-alive; idle connections are
// closed after api.idle_timeout.
#include "gateway/http_api/api_service.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <set>

#include "gateway/api/log.hpp"
#include "gateway/http_api/api_context.hpp"
#include "gateway/http_api/request_target.hpp"
#include "gateway/http_api/www_assets.hpp"

namespace edgegw::http_api {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using boost::system::error_code;

struct api_settings {
  std::string host;
  uint16_t port = 0;
  std::string username;
  std::string password;
  std::size_t max_connections = 64;
  std::size_t max_body = 1 << 20;
  std::chrono::milliseconds idle{30000};
};

bool is_loopback(const std::string& host) {
  error_code ec;
  auto a = asio::ip::make_address(host, ec);
  if (ec) return host == "localhost";
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).is_loopback();
  return a.is_loopback();
}

class api_service final : public net::service {
 public:
  api_service(api_settings s, net::io_pool& pool, api_context ctx)
      : s_(std::move(s)), ctx_(std::move(ctx)), acceptor_(pool.main()) {}

  void start() override {
    tcp::endpoint ep(net::parse_host(s_.host), s_.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    error_code ec;
    acceptor_.bind(ep, ec);
    if (ec) throw std::system_error(ec, "api.bind " + s_.host + ":" + std::to_string(s_.port));
    acceptor_.listen();
    if (s_.password == "public" && !is_loopback(s_.host))
      log_->warn(
          "default_password bind={} reason=\"api.password is still 'public' on a "
          "non-loopback address: change it\"",
          net::to_string(acceptor_.local_endpoint()));
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
  }

  std::vector<std::pair<std::string, std::string>> endpoints() const override {
    return {{"api", net::to_string(acceptor_.local_endpoint())}};
  }

  void stop() override {
    stopped_ = true;
    error_code ec;
    acceptor_.close(ec);
    for (auto* c : conns_) c->socket().close(ec);
  }

 private:
  asio::awaitable<void> accept_loop() {
    while (!stopped_) {
      error_code ec;
      tcp::socket sock =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (stopped_ || ec == asio::error::operation_aborted) co_return;
        continue;
      }
      if (conns_.size() >= s_.max_connections) {
        log_->info("http_refused peer={} reason=max_connections", peer_of(sock));
        sock.close(ec);
        continue;
      }
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(sock)), asio::detached);
    }
  }

  static std::string peer_of(const tcp::socket& s) {
    error_code ec;
    auto ep = s.remote_endpoint(ec);
    return ec ? std::string("?") : net::to_string(ep);
  }

  template <class Body>
  static void set_common(http::response<Body>& res, unsigned version, bool keep_alive) {
    res.version(version);
    res.set(http::field::server, "edgegw");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
  }

  http::response<http::string_body> respond(const http::request<http::string_body>& req,
                                            const std::string& peer) {
    http::response<http::string_body> res;
    auto target = std::string_view(req.target().data(), req.target().size());
    api_response r;
    if (req.method() == http::verb::get && (target == "/status" || target == "/api/v5/status")) {
      // Unauthenticated health check, as EMQX's GET /status.
      r.content_type = "text/plain";
      r.body = "Node " + ctx_.node + " is started\nedgegw is running\n";
    } else if (!authorized(req)) {
      log_->info("http_unauthorized peer={} target={}", peer, target.substr(0, 200));
      r.status = 401;
      r.body = R"({"code":"BAD_USERNAME_OR_PWD","message":"Auth failed"})";
      res.set(http::field::www_authenticate, "Basic realm=\"edgegw\"");
    } else if (target.substr(0, 8) != "/api/v5/") {
      // The dashboard: static files compiled in.
      auto path = target.substr(0, target.find('?'));
      const www_asset* a = find_www_asset(path);
      if (!a) {
        r.status = 404;
        r.body = R"({"code":"NOT_FOUND","message":"no such path"})";
      } else if (req.method() != http::verb::get) {
        r.status = 405;
        r.body = R"({"code":"METHOD_NOT_ALLOWED","message":"use GET"})";
      } else {
        r.content_type = std::string(a->content_type);
        r.body = std::string(a->body);
      }
    } else {
      auto method = std::string_view(req.method_string().data(), req.method_string().size());
      r = handle(ctx_, api_request{method, target, req.body()});
    }
    res.result(r.status);
    if (!r.content_type.empty()) res.set(http::field::content_type, r.content_type);
    res.body() = std::move(r.body);
    res.prepare_payload();
    log_->debug("http_request peer={} method={} target={} status={}", peer,
                std::string_view(req.method_string().data(), req.method_string().size()),
                target.substr(0, 200), r.status);
    return res;
  }

  bool authorized(const http::request<http::string_body>& req) const {
    auto h = req[http::field::authorization];
    auto creds = parse_basic_auth(std::string_view(h.data(), h.size()));
    if (!creds) return false;
    // Both compared, always, so the time does not tell which one was wrong.
    bool user = constant_time_equal(creds->first, s_.username);
    bool pass = constant_time_equal(creds->second, s_.password);
    return user && pass;
  }

  asio::awaitable<void> serve(tcp::socket sock) {
    std::string peer = peer_of(sock);
    beast::tcp_stream stream(std::move(sock));
    conns_.insert(&stream);
    beast::flat_buffer buf(16 * 1024);
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(s_.max_body);
      stream.expires_after(s_.idle);
      error_code ec;
      co_await http::async_read(stream, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == http::error::body_limit || ec == http::error::header_limit) {
          http::response<http::string_body> res{http::status::payload_too_large, 11};
          set_common(res, 11, false);
          res.set(http::field::content_type, "application/json");
          res.body() = R"({"code":"BAD_REQUEST","message":"request too large"})";
          res.prepare_payload();
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        } else if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
                   ec != asio::error::operation_aborted && ec != asio::error::eof &&
                   ec != asio::error::connection_reset) {
          log_->info("http_bad_request peer={} reason=\"{}\"", peer, ec.message());
          http::response<http::string_body> res{http::status::bad_request, 11};
          set_common(res, 11, false);
          res.set(http::field::content_type, "application/json");
          res.body() = R"({"code":"BAD_REQUEST","message":"malformed HTTP request"})";
          res.prepare_payload();
          co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        }
        break;
      }
      auto req = parser.release();
      bool keep = req.keep_alive() && !stopped_;
      http::response<http::string_body> res;
      try {
        res = respond(req, peer);
      } catch (const std::exception& e) {
        // A handler bug must not take the gateway down: this request fails, nothing else.
        log_->error("http_handler_failed peer={} target={} what=\"{}\"", peer,
                    std::string_view(req.target().data(), req.target().size()).substr(0, 200),
                    e.what());
        res = {};
        res.result(http::status::internal_server_error);
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"code":"INTERNAL_ERROR","message":"internal error"})";
        res.prepare_payload();
      }
      set_common(res, req.version(), keep);
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !keep) break;
    }
    error_code ignore;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignore);
    conns_.erase(&stream);
  }

  api_settings s_;
  api_context ctx_;
  tcp::acceptor acceptor_;
  std::set<beast::tcp_stream*> conns_;
  bool stopped_ = false;
  std::shared_ptr<spdlog::logger> log_ = log::get("api");
};

}  // namespace

std::unique_ptr<net::service> make_service(
    const config::values& cfg, net::io_pool& pool, core::broker_core& broker,
    const std::vector<std::shared_ptr<net::tcp_listener>>& listeners,
    const std::vector<std::unique_ptr<net::service>>& services) {
  if (!cfg.get_bool("api.enable")) return nullptr;
  api_settings s;
  const auto& ep = cfg.get_endpoint("api.bind");
  s.host = ep.host;
  s.port = ep.port;
  s.username = cfg.get_string("api.username");
  s.password = cfg.get_string("api.password");
  s.max_connections = static_cast<std::size_t>(cfg.get_int("api.max_connections"));
  s.max_body = static_cast<std::size_t>(cfg.get_size("api.max_body_size"));
  s.idle = cfg.get_duration("api.idle_timeout");
  api_context ctx{
      broker, {}, services, {}, "edgegw@" + broker.settings().node_name, broker.settings().version};
  for (const auto& l : listeners) {
    // "tcp:default" -> listener.tcp.default.max_connections
    std::string key = "listener." + l->name() + ".max_connections";
    key[key.find(':')] = '.';
    ctx.listeners.push_back(
        {l, cfg.contains(key) ? static_cast<std::size_t>(cfg.get_int(key)) : std::size_t{0}});
  }
  for (const char* g : {"mqttsn", "coap", "lwm2m", "stomp"}) {
    std::string key = std::string("gateway.") + g + ".enable";
    if (cfg.contains(key)) ctx.gateways.push_back(g);
  }
  return std::make_unique<api_service>(std::move(s), pool, std::move(ctx));
}

}  // namespace edgegw::http_api
