// The HTTP hook: URL and answer parsing, and real requests to a small blocking HTTP server
// on 127.0.0.1:0 (allow, deny, ignore, errors, time-out, cache), through the chain.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "gateway/authn/auth_chain.hpp"
#include "gateway/authn/http_hook.hpp"

using namespace edgegw;
using namespace edgegw::authn;
using boost::asio::ip::tcp;

namespace {

// Answers each request with `reply` (a whole HTTP response), or never when `reply` is empty.
class fake_server {
 public:
  fake_server() : acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_server() {
    stop_ = true;
    boost::system::error_code ec;
    // Wake the accept with a connection of our own.
    tcp::socket s(io_);
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  void set_reply(int status, std::string body) {
    std::lock_guard lk(mu_);
    reply_ = status == 0 ? std::string()
                         : "HTTP/1.1 " + std::to_string(status) +
                               " X\r\nContent-Type: application/json\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  }
  int requests() const { return requests_; }
  std::string last_request() {
    std::lock_guard lk(mu_);
    return last_;
  }

 private:
  void serve() {
    while (!stop_) {
      tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stop_) return;
      std::string req;
      char buf[4096];
      // Headers, then Content-Length bytes of body.
      std::size_t want = std::string::npos;
      while (want == std::string::npos || req.size() < want) {
        std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
        if (ec) break;
        req.append(buf, n);
        auto end = req.find("\r\n\r\n");
        if (end != std::string::npos && want == std::string::npos) {
          auto cl = req.find("Content-Length: ");
          std::size_t len = cl == std::string::npos ? 0 : std::stoul(req.substr(cl + 16));
          want = end + 4 + len;
        }
      }
      std::string reply;
      {
        std::lock_guard lk(mu_);
        last_ = req;
        reply = reply_;
      }
      ++requests_;
      if (reply.empty()) {
        held_.push_back(std::move(s));  // never answered: the client times out
        continue;
      }
      boost::asio::write(s, boost::asio::buffer(reply), ec);
    }
  }

  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string reply_;
  std::string last_;
  std::vector<tcp::socket> held_;
};

class Hook : public ::testing::Test {
 protected:
  void SetUp() override {
    work_.emplace(io_.get_executor());
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    work_.reset();
    io_.stop();
    runner_.join();
  }
  std::shared_ptr<auth_chain> chain(std::chrono::milliseconds timeout,
                                    std::chrono::milliseconds ttl, bool anonymous = false) {
    http_hook_settings h;
    EXPECT_EQ(parse_http_url("http://127.0.0.1:" + std::to_string(server_.port()) + "/auth", h),
              "");
    h.timeout = timeout;
    h.cache_ttl = ttl;
    chain_settings s;
    s.allow_anonymous = anonymous;
    return std::make_shared<auth_chain>(s, access_lists{},
                                        std::make_shared<http_hook>(h, io_.get_executor()));
  }
  static credentials creds(std::optional<std::string> user, std::optional<std::string> pw) {
    credentials c;
    c.protocol = "mqtt";
    c.client_id = "dev1";
    c.username = std::move(user);
    c.password = std::move(pw);
    c.peer = "127.0.0.1:4242";
    return c;
  }
  // check_async, waited for with a deadline.
  static std::pair<errc, client_info> ask(auth_chain& a, const credentials& c) {
    std::promise<std::pair<errc, client_info>> p;
    auto f = p.get_future();
    client_info ci;
    ci.client_id = c.client_id;
    a.check_async(c, ci, [&p](errc e, client_info out) { p.set_value({e, std::move(out)}); });
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  fake_server server_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread runner_;
};

}  // namespace

TEST(HookText, UrlAndAnswers) {
  http_hook_settings h;
  EXPECT_EQ(parse_http_url("http://127.0.0.1:8080/a/b?x=1", h), "");
  EXPECT_EQ(h.host, "127.0.0.1");
  EXPECT_EQ(h.port, 8080);
  EXPECT_EQ(h.target, "/a/b?x=1");
  EXPECT_EQ(parse_http_url("http://[::1]/", h), "");
  EXPECT_EQ(h.host, "::1");
  EXPECT_EQ(h.port, 80);
  EXPECT_EQ(parse_http_url("http://localhost", h), "");
  EXPECT_EQ(h.target, "/");
  EXPECT_NE(parse_http_url("https://x/", h), "");
  EXPECT_NE(parse_http_url("http://x:0/", h), "");
  EXPECT_NE(parse_http_url("http://x:99999/", h), "");
  EXPECT_NE(parse_http_url("http:///p", h), "");

  auto a = parse_hook_answer(R"({"result":"allow","is_superuser":true})");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->result, verdict::allow);
  EXPECT_TRUE(a->is_superuser);
  EXPECT_EQ(parse_hook_answer(R"({"result":"deny"})")->result, verdict::deny);
  EXPECT_EQ(parse_hook_answer(R"({"result":"ignore"})")->result, verdict::ignore);
  EXPECT_FALSE(parse_hook_answer(R"({"result":"maybe"})"));
  EXPECT_FALSE(parse_hook_answer(R"({"result":"allow","is_superuser":"yes"})"));
  EXPECT_FALSE(parse_hook_answer("not json"));
  EXPECT_FALSE(parse_hook_answer("[]"));

  credentials c;
  c.client_id = "id";
  c.username = "u";
  c.password = std::string("p\xff", 2);
  c.peer = "[::1]:5";
  c.protocol = "stomp";
  auto body = nlohmann::json::parse(hook_request_body(c));
  EXPECT_EQ(body["clientid"], "id");
  EXPECT_EQ(body["username"], "u");
  EXPECT_EQ(body["peerhost"], "::1");
  EXPECT_EQ(body["protocol"], "stomp");
  EXPECT_TRUE(body["password"].is_string());
  c.username.reset();
  EXPECT_TRUE(nlohmann::json::parse(hook_request_body(c))["username"].is_null());
}

TEST_F(Hook, AllowDenyIgnoreAndSuperuser) {
  auto a = chain(std::chrono::seconds(5), std::chrono::milliseconds(0));
  server_.set_reply(200, R"({"result":"allow","is_superuser":true})");
  auto [e, ci] = ask(*a, creds("u", "p"));
  EXPECT_EQ(e, errc::ok);
  EXPECT_TRUE(ci.is_superuser);
  auto sent = server_.last_request();
  EXPECT_TRUE(sent.starts_with("POST /auth HTTP/1.1\r\n")) << sent;
  EXPECT_NE(sent.find(R"("username":"u")"), std::string::npos) << sent;
  EXPECT_NE(sent.find(R"("peerhost":"127.0.0.1")"), std::string::npos) << sent;

  server_.set_reply(200, R"({"result":"deny"})");
  EXPECT_EQ(ask(*a, creds("u", "p")).first, errc::bad_credentials);
  EXPECT_EQ(ask(*a, creds(std::nullopt, std::nullopt)).first, errc::not_authorized);
  // Ignore: a user is unknown (refused); an anonymous client follows allow_anonymous.
  server_.set_reply(200, R"({"result":"ignore"})");
  EXPECT_EQ(ask(*a, creds("u", "p")).first, errc::bad_credentials);
  EXPECT_EQ(ask(*a, creds(std::nullopt, std::nullopt)).first, errc::not_authorized);
  auto open = chain(std::chrono::seconds(5), std::chrono::milliseconds(0), true);
  EXPECT_EQ(ask(*open, creds(std::nullopt, std::nullopt)).first, errc::ok);
  // Errors count as ignore.
  server_.set_reply(500, "{}");
  EXPECT_EQ(ask(*open, creds(std::nullopt, std::nullopt)).first, errc::ok);
  server_.set_reply(200, "garbage");
  EXPECT_EQ(ask(*a, creds("u", "p")).first, errc::bad_credentials);
}

TEST_F(Hook, TimeOutCountsAsIgnore) {
  auto open = chain(std::chrono::milliseconds(300), std::chrono::milliseconds(0), true);
  server_.set_reply(0, "");
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(ask(*open, creds(std::nullopt, std::nullopt)).first, errc::ok);
  EXPECT_EQ(ask(*open, creds("u", "p")).first, errc::bad_credentials);
  auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(took, std::chrono::milliseconds(600));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(Hook, CacheAnswersWithinTtlAndFeedsTheSynchronousPath) {
  auto a = chain(std::chrono::seconds(5), std::chrono::seconds(60));
  server_.set_reply(200, R"({"result":"allow"})");
  // Synchronous check on a miss: ignore (refused), and the answer is fetched meanwhile.
  client_info ci;
  ci.client_id = "dev1";
  EXPECT_EQ(a->check(creds("u", "p"), ci), errc::bad_credentials);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_.requests() < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_EQ(server_.requests(), 1);
  // Once cached, the synchronous path allows without asking again.
  errc e = errc::unspecified;
  while (std::chrono::steady_clock::now() < deadline) {
    client_info c2;
    c2.client_id = "dev1";
    e = a->check(creds("u", "p"), c2);
    if (e == errc::ok) break;
    std::this_thread::yield();
  }
  EXPECT_EQ(e, errc::ok);
  EXPECT_EQ(ask(*a, creds("u", "p")).first, errc::ok);
  EXPECT_EQ(server_.requests(), 1);
  // Other credentials are another cache entry.
  server_.set_reply(200, R"({"result":"deny"})");
  EXPECT_EQ(ask(*a, creds("u", "other")).first, errc::bad_credentials);
  EXPECT_EQ(server_.requests(), 2);
}

// At shutdown the I/O context goes away with a hook request under way: the waiting
// callback (which owns the chain, which owns the hook) must be dropped, not leaked.
TEST_F(Hook, ShutdownWithARequestUnderWayFreesTheChain) {
  server_.set_reply(0, "");
  std::weak_ptr<auth_chain> weak;
  bool answered = false;
  {
    boost::asio::io_context local;
    http_hook_settings h;
    ASSERT_EQ(parse_http_url("http://127.0.0.1:" + std::to_string(server_.port()) + "/auth", h),
              "");
    auto c = std::make_shared<auth_chain>(chain_settings{}, access_lists{},
                                          std::make_shared<http_hook>(h, local.get_executor()));
    weak = c;
    client_info ci;
    ci.client_id = "dev1";
    c->check_async(creds("u", "p"), ci, [&answered](errc, client_info) { answered = true; });
    c.reset();
    EXPECT_FALSE(weak.expired());  // the request under way holds it
  }
  EXPECT_TRUE(weak.expired());
  EXPECT_FALSE(answered);
}
