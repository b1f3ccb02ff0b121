// See http_hook.hpp.
#include "gateway/authn/http_hook.hpp"

#include <mbedtls/md.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "gateway/api/log.hpp"

namespace edgegw::authn {

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

namespace {

const std::shared_ptr<spdlog::logger>& hook_log() {
  static const auto l = log::get("authn");
  return l;
}

std::string peer_host_of(const std::string& peer) {
  if (!peer.empty() && peer.front() == '[') {
    auto close = peer.find(']');
    return close == std::string::npos ? peer : peer.substr(1, close - 1);
  }
  auto colon = peer.rfind(':');
  if (colon == std::string::npos || peer.find(':') != colon) return peer;
  return peer.substr(0, colon);
}

constexpr std::size_t max_answer_body = 16 * 1024;

}  // namespace

std::string parse_http_url(std::string_view url, http_hook_settings& out) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return "must start with http:// (https is not supported)";
  url.remove_prefix(scheme.size());
  auto slash = url.find('/');
  std::string_view hostport = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  std::string_view port_text;
  if (!hostport.empty() && hostport.front() == '[') {
    auto close = hostport.find(']');
    if (close == std::string_view::npos) return "unterminated [IPv6] host";
    out.host = std::string(hostport.substr(1, close - 1));
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return "bad characters after ]";
      port_text = rest.substr(1);
    }
  } else {
    auto colon = hostport.find(':');
    out.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) port_text = hostport.substr(colon + 1);
  }
  if (out.host.empty()) return "no host";
  out.port = 80;
  if (!port_text.empty()) {
    unsigned p = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || p == 0 || p > 65535)
      return "bad port";
    out.port = static_cast<uint16_t>(p);
  }
  return {};
}

std::string hook_request_body(const credentials& c) {
  nlohmann::json j;
  j["clientid"] = c.client_id;
  j["username"] = c.username ? nlohmann::json(*c.username) : nlohmann::json(nullptr);
  j["password"] = c.password ? nlohmann::json(*c.password) : nlohmann::json(nullptr);
  j["peerhost"] = peer_host_of(c.peer);
  j["protocol"] = c.protocol;
  // Passwords are bytes in MQTT: replace invalid UTF-8 instead of throwing.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<hook_answer> parse_hook_answer(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto r = j.find("result");
  if (r == j.end() || !r->is_string()) return std::nullopt;
  hook_answer a;
  const auto& s = r->get_ref<const std::string&>();
  if (s == "allow")
    a.result = verdict::allow;
  else if (s == "deny")
    a.result = verdict::deny;
  else if (s == "ignore")
    a.result = verdict::ignore;
  else
    return std::nullopt;
  auto su = j.find("is_superuser");
  if (su != j.end()) {
    if (!su->is_boolean()) return std::nullopt;
    a.is_superuser = su->get<bool>();
  }
  return a;
}

// One request: resolve, connect, write, read, all under one deadline. Lives as long as
// its handlers hold it.
struct http_hook::request : std::enable_shared_from_this<request> {
  request(std::shared_ptr<http_hook> h, std::string cache_key, std::string body, std::string client)
      : hook(std::move(h)),
        strand(boost::asio::make_strand(hook->ex_)),
        resolver(strand),
        stream(strand),
        key(std::move(cache_key)),
        who(std::move(client)) {
    const auto& s = hook->s_;
    req.method(http::verb::post);
    req.target(s.target);
    req.version(11);
    req.set(http::field::host, s.host + ":" + std::to_string(s.port));
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "edgegw");
    req.keep_alive(false);
    req.body() = std::move(body);
    req.prepare_payload();
    parser.body_limit(max_answer_body);
    deadline = std::chrono::steady_clock::now() + s.timeout;
  }

  // Destroyed unfinished only when its executor is torn down at shutdown: drop the waiters
  // without calling them (their executors are going too). They hold the auth chain, which
  // holds the hook, so leaving them in inflight_ would keep all of it alive for ever.
  ~request() {
    if (!finished) hook->abandon(key);
  }

  void start() {
    // The resolver has no deadline of its own: a timer cancels it.
    auto self = shared_from_this();
    timer = std::make_unique<boost::asio::steady_timer>(strand);
    timer->expires_at(deadline);
    timer->async_wait([self](const boost::system::error_code& ec) {
      if (ec) return;
      self->resolver.cancel();
      self->stream.cancel();
      self->timed_out = true;
    });
    resolver.async_resolve(
        hook->s_.host, std::to_string(hook->s_.port),
        [self](const boost::system::error_code& ec, const tcp::resolver::results_type& r) {
          self->on_resolve(ec, r);
        });
  }

  void on_resolve(const boost::system::error_code& ec, const tcp::resolver::results_type& r) {
    if (ec) return finish_error("resolve", ec);
    stream.expires_at(deadline);
    stream.async_connect(
        r, [self = shared_from_this()](const boost::system::error_code& e, const tcp::endpoint&) {
          if (e) return self->finish_error("connect", e);
          self->stream.expires_at(self->deadline);
          http::async_write(self->stream, self->req,
                            [self](const boost::system::error_code& e2, std::size_t) {
                              if (e2) return self->finish_error("write", e2);
                              self->stream.expires_at(self->deadline);
                              http::async_read(self->stream, self->buf, self->parser,
                                               [self](const boost::system::error_code& e3,
                                                      std::size_t) { self->on_read(e3); });
                            });
        });
  }

  void on_read(const boost::system::error_code& ec) {
    if (ec) return finish_error("read", ec);
    const auto& res = parser.get();
    const unsigned status = res.result_int();
    if (status < 200 || status > 299) {
      hook_log()->warn("auth_hook_failed {} status={} answer=ignore", who, status);
      return finish({}, false);
    }
    auto a = parse_hook_answer(res.body());
    if (!a) {
      hook_log()->warn("auth_hook_failed {} error=\"unparsable answer\" answer=ignore", who);
      return finish({}, false);
    }
    finish(*a, true);
  }

  void finish_error(const char* step, const boost::system::error_code& ec) {
    const bool late = timed_out || ec == beast::error::timeout;
    hook_log()->warn("auth_hook_failed {} step={} error=\"{}\" answer=ignore", who, step,
                     late ? std::string("time-out") : ec.message());
    finish({}, false);
  }

  void finish(hook_answer a, bool cacheable) {
    if (finished) return;
    finished = true;
    if (timer) timer->cancel();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
    hook->complete(key, a, cacheable);
  }

  std::shared_ptr<http_hook> hook;
  boost::asio::strand<boost::asio::any_io_executor> strand;
  tcp::resolver resolver;
  beast::tcp_stream stream;
  std::unique_ptr<boost::asio::steady_timer> timer;
  http::request<http::string_body> req;
  http::response_parser<http::string_body> parser;
  beast::flat_buffer buf;
  std::chrono::steady_clock::time_point deadline;
  std::string key;
  std::string who;
  bool timed_out = false;
  bool finished = false;
};

http_hook::http_hook(http_hook_settings s, boost::asio::any_io_executor ex)
    : s_(std::move(s)), ex_(std::move(ex)) {}

std::string http_hook::cache_key(const credentials& c) const {
  // A digest, so the cache holds no passwords in clear.
  std::string in;
  for (const std::string* f : {&c.client_id, &c.protocol}) in += *f + '\0';
  in += c.username ? "u" + *c.username : std::string("-");
  in += '\0';
  in += c.password ? "p" + *c.password : std::string("-");
  in += '\0';
  in += peer_host_of(c.peer);
  std::string out(32, '\0');
  mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
             reinterpret_cast<const unsigned char*>(in.data()), in.size(),
             reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

void http_hook::complete(const std::string& key, hook_answer a, bool cacheable) {
  std::vector<std::function<void(hook_answer)>> waiters;
  {
    std::lock_guard lk(mu_);
    if (auto w = inflight_.find(key); w != inflight_.end()) {
      waiters = std::move(w->second);
      inflight_.erase(w);
    }
    if (cacheable) remember_locked(key, a);
  }
  for (auto& w : waiters)
    if (w) w(a);
}

void http_hook::abandon(const std::string& key) {
  std::vector<std::function<void(hook_answer)>> dropped;
  {
    std::lock_guard lk(mu_);
    if (auto w = inflight_.find(key); w != inflight_.end()) {
      dropped = std::move(w->second);
      inflight_.erase(w);
    }
  }
  // `dropped` is destroyed here, outside the lock: its captures may own this hook.
}

void http_hook::remember_locked(const std::string& key, hook_answer a) {
  if (s_.cache_ttl.count() <= 0 || s_.cache_max == 0) return;
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    order_.erase(it->second.order);
    cache_.erase(it);
  }
  while (cache_.size() >= s_.cache_max && !order_.empty()) {
    cache_.erase(order_.front());
    order_.pop_front();
  }
  order_.push_back(key);
  cache_.emplace(
      key, entry{a, std::chrono::steady_clock::now() + s_.cache_ttl, std::prev(order_.end())});
}

std::optional<hook_answer> http_hook::cached_locked(const std::string& key) {
  if (s_.cache_ttl.count() <= 0) return std::nullopt;
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.expires <= std::chrono::steady_clock::now()) {
    order_.erase(it->second.order);
    cache_.erase(it);
    return std::nullopt;
  }
  return it->second.answer;
}

std::optional<hook_answer> http_hook::cached(const credentials& creds) {
  if (s_.cache_ttl.count() <= 0) return std::nullopt;
  const std::string key = cache_key(creds);
  std::lock_guard lk(mu_);
  return cached_locked(key);
}

void http_hook::query(const credentials& creds, std::function<void(hook_answer)> done) {
  std::string key = cache_key(creds);
  {
    // One lock for the cache and the requests under way: an answer that lands in between
    // must be seen in one or the other, or a second request would go out.
    std::lock_guard lk(mu_);
    if (auto a = cached_locked(key)) {
      boost::asio::post(ex_, [a = *a, done = std::move(done)] { done(a); });
      return;
    }
    auto [it, fresh] = inflight_.try_emplace(key);
    it->second.push_back(std::move(done));
    if (!fresh) return;  // the request under way answers this one too
  }
  std::string who = "client=" + creds.client_id + " peer=" + creds.peer;
  auto r = std::make_shared<request>(shared_from_this(), std::move(key), hook_request_body(creds),
                                     std::move(who));
  boost::asio::post(r->strand, [r] { r->start(); });
}

}  // namespace edgegw::authn
