// STOMP over WebSocket (Boost.Beast): the HTTP upgrade and a transport over the accepted
// WebSocket. STOMP frames travel in WebSocket messages (stomp.js sends one frame per text
// message); the channel consumes a byte stream, so frames split across messages or several
// in one need nothing. We send binary messages, which every STOMP WebSocket client reads.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/net/tcp_listener.hpp"
#include "protocols/stomp/adapter/connection.hpp"
#include "protocols/stomp/adapter/detail/log.hpp"

namespace edgegw::stomp {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using ws_type = websocket::stream<beast::tcp_stream>;

namespace {

constexpr std::array<std::string_view, 3> subprotocols{"v12.stomp", "v11.stomp", "v10.stomp"};
constexpr std::size_t max_request_header = 8 * 1024;

class ws_transport final : public transport {
 public:
  explicit ws_transport(std::shared_ptr<ws_type> ws) : ws_(std::move(ws)) {}
  boost::asio::any_io_executor executor() override { return ws_->get_executor(); }
  void async_read_some(boost::asio::mutable_buffer b, handler h) override {
    ws_->async_read_some(b, std::move(h));
  }
  void async_write(boost::asio::const_buffer b, handler h) override {
    ws_->async_write(b, std::move(h));
  }
  void shutdown_send() override {
    // The close handshake; `ws` stays alive through it even if the connection goes.
    ws_->async_close(websocket::close_code::normal, [ws = ws_](boost::system::error_code) {});
  }
  void close() override {
    boost::system::error_code ec;
    auto& sock = beast::get_lowest_layer(*ws_).socket();
    sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    sock.close(ec);
  }

 private:
  std::shared_ptr<ws_type> ws_;
};

// The first of the client's Sec-WebSocket-Protocol tokens that we support; `offered`
// tells whether it sent any.
std::string pick_subprotocol(const http::request<http::empty_body>& req, bool& offered) {
  offered = false;
  auto range = req.equal_range(http::field::sec_websocket_protocol);
  for (auto it = range.first; it != range.second; ++it) {
    auto v = it->value();
    std::string_view list(v.data(), v.size());
    while (!list.empty()) {
      auto comma = list.find(',');
      std::string_view tok = list.substr(0, comma);
      while (!tok.empty() && (tok.front() == ' ' || tok.front() == '\t')) tok.remove_prefix(1);
      while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t')) tok.remove_suffix(1);
      if (!tok.empty()) {
        offered = true;
        for (auto p : subprotocols)
          if (beast::iequals(beast::string_view(tok.data(), tok.size()),
                             beast::string_view(p.data(), p.size())))
            return std::string(p);
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return {};
}

struct upgrade : std::enable_shared_from_this<upgrade> {
  upgrade(boost::asio::ip::tcp::socket s, std::shared_ptr<const settings> c, broker& br,
          std::string p, std::shared_ptr<void> t, std::string who)
      : stream(std::move(s)),
        cfg(std::move(c)),
        b(br),
        path(std::move(p)),
        token(std::move(t)),
        peer(std::move(who)) {
    parser.header_limit(max_request_header);
    parser.body_limit(0);
  }

  void start() {
    stream.expires_after(cfg->connect_timeout);
    http::async_read(stream, buffer, parser,
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       self->on_request(ec);
                     });
  }

  void refuse(http::status status, std::string_view why) {
    detail::log()->debug("ws_refused peer={} status={} reason=\"{}\"", peer,
                         static_cast<int>(status), why);
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::content_type, "text/plain");
    if (status == http::status::upgrade_required) {
      res->set(http::field::upgrade, "websocket");
      res->set(http::field::connection, "Upgrade");
    }
    res->body() = std::string(why) + "\n";
    res->keep_alive(false);
    res->prepare_payload();
    http::async_write(
        stream, *res, [self = shared_from_this(), res](boost::system::error_code, std::size_t) {
          boost::system::error_code ec;
          self->stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
          self->stream.close();
        });
  }

  void on_request(boost::system::error_code ec) {
    if (ec) {
      if (ec == http::error::header_limit) {
        refuse(http::status::request_header_fields_too_large, "request header too large");
      } else {
        stream.close();
      }
      return;
    }
    auto& req = parser.get();
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    if (target != path) return refuse(http::status::not_found, "no WebSocket endpoint here");
    if (!websocket::is_upgrade(req))
      return refuse(http::status::upgrade_required, "STOMP over WebSocket needs an upgrade");
    bool offered = false;
    std::string sp = pick_subprotocol(req, offered);
    if (offered && sp.empty())
      return refuse(http::status::bad_request,
                    "no supported subprotocol (v10.stomp, v11.stomp, v12.stomp)");
    ws = std::make_shared<ws_type>(std::move(stream));
    beast::get_lowest_layer(*ws).expires_never();  // the WebSocket has its own timeouts
    websocket::stream_base::timeout t{};
    t.handshake_timeout = cfg->close_linger;
    t.idle_timeout = websocket::stream_base::none();  // STOMP heart-beats do this
    t.keep_alive_pings = false;
    ws->set_option(t);
    ws->set_option(websocket::stream_base::decorator([sp](websocket::response_type& res) {
      if (!sp.empty()) res.set(http::field::sec_websocket_protocol, sp);
    }));
    ws->read_message_max(cfg->frame_limits.max_frame_size + 64 * 1024);
    ws->binary(true);
    ws->async_accept(
        req, [self = shared_from_this()](boost::system::error_code e) { self->on_accept(e); });
  }

  void on_accept(boost::system::error_code ec) {
    if (ec) {
      detail::log()->debug("ws_handshake_failed peer={} error=\"{}\"", peer, ec.message());
      return;  // ws and its socket go with this object
    }
    auto c = std::make_shared<connection>(std::make_unique<ws_transport>(ws), peer, cfg, b,
                                          std::move(token));
    c->start();
  }

  beast::tcp_stream stream;
  std::shared_ptr<const settings> cfg;
  broker& b;
  std::string path;
  std::shared_ptr<void> token;
  std::string peer;
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  std::shared_ptr<ws_type> ws;
};

}  // namespace

void start_ws_connection(boost::asio::ip::tcp::socket s, std::shared_ptr<const settings> cfg,
                         broker& b, std::string path, std::shared_ptr<void> token) {
  boost::system::error_code ec;
  s.set_option(boost::asio::ip::tcp::no_delay(true), ec);
  auto ep = s.remote_endpoint(ec);
  std::string peer = ec ? std::string("unknown") : net::to_string(ep);
  std::make_shared<upgrade>(std::move(s), std::move(cfg), b, std::move(path), std::move(token),
                            std::move(peer))
      ->start();
}

}  // namespace edgegw::stomp
