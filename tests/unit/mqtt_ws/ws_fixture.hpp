// The test bench for MQTT over WebSocket: the real core broker (fake store), a loopback
// acceptor on port 0 handing every socket to start_ws_connection, and clients driven on
// the same io_context by the test thread: a Beast WebSocket client speaking MQTT bytes,
// a raw HTTP client for refusals, and external clients (paho, MQTT.js) as child
// processes. Every wait is bounded; nothing sleeps.
#pragma once
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fake_store.hpp"
#include "gateway/api/asio.hpp"
#include "gateway/core/broker_core.hpp"
#include "protocols/mqtt/codec/codec.hpp"
#include "protocols/mqtt/ws/ws_connection.hpp"

extern char** environ;

namespace edgegw::test {

using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using boost::asio::ip::tcp;
using boost::system::error_code;

class ws_bench : public ::testing::Test {
 public:  // ws_client drives the bench's io_context
  ws_bench() {
    // EDGEGW_TEST_DEBUG=1 shows the server's debug log lines (handshake refusals, read errors).
    if (std::getenv("EDGEGW_TEST_DEBUG")) spdlog::set_level(spdlog::level::debug);
    core::core_settings s;
    s.sys_interval = 0ms;
    broker = std::make_unique<core::broker_core>(s, io.get_executor(), store);
    auto c = mqtt::settings::from_limits(broker->limits());
    c.listener = "ws:test";
    c.close_linger = 2s;
    cfg = std::make_shared<mqtt::settings>(c);
  }

  ~ws_bench() override {
    // Every server connection must end before the broker goes (they hold its sessions):
    // close what the clients left open, stop the broker (it ends the remaining sessions),
    // then run until no handler is left.
    error_code ec;
    acceptor.close(ec);
    for (auto& s : raw_) s->close(ec);
    EXPECT_TRUE(run_until([&] { return live == 0; })) << "a server connection outlived its client";
    broker->shutdown();
    EXPECT_TRUE(run_until([&] { return io.stopped(); })) << "work left after the test";
  }

  void SetUp() override { accept_next(); }

  void accept_next() {
    acceptor.async_accept([this](error_code ec, tcp::socket s) {
      if (ec) return;
      ++live;
      ++accepted;
      std::shared_ptr<void> token(nullptr, [this](void*) { --live; });
      mqtt::start_ws_connection(std::move(s), cfg, *broker, path, std::move(token));
      accept_next();
    });
  }

  uint16_t port() const { return acceptor.local_endpoint().port(); }

  // Run the io_context until `done()` or the bound.
  template <class Pred>
  bool run_until(Pred done, std::chrono::milliseconds limit = 5s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= end) return false;
      if (io.stopped()) io.restart();
      io.run_one_for(10ms);
    }
    return true;
  }

  // ------------------------------------------------------------------ raw HTTP

  // Send `request` on a fresh TCP connection; the response, and whether the server then
  // closed the connection.
  struct http_result {
    std::optional<http::response<http::string_body>> res;
    bool closed_after = false;
  };
  // `expect_close`: wait for the server to close after its answer (then close ours too).
  http_result http_exchange(std::string request, bool expect_close = true) {
    auto& s = *raw_.emplace_back(std::make_unique<tcp::socket>(io));
    s.connect(acceptor.local_endpoint());
    // Handlers own their state: one left pending by a failed test must not dangle.
    struct state {
      std::string req;
      beast::flat_buffer buf;
      http::response<http::string_body> res;
      std::array<char, 256> chunk{};
      bool written = false, read = false, eof = false;
      error_code rec;
    };
    auto st = std::make_shared<state>();
    st->req = std::move(request);
    boost::asio::async_write(s, boost::asio::buffer(st->req),
                             [st](error_code, std::size_t) { st->written = true; });
    http::async_read(s, st->buf, st->res, [st](error_code ec, std::size_t) {
      st->rec = ec;
      st->read = true;
    });
    http_result out;
    if (!run_until([&] { return st->written && st->read; }) || st->rec) return out;
    out.res = st->res;
    if (!expect_close) return out;
    drain(s, st);
    out.closed_after = run_until([&] { return st->eof; });
    s.close();
    return out;
  }
  template <class State>
  static void drain(tcp::socket& s, std::shared_ptr<State> st) {
    s.async_read_some(boost::asio::buffer(st->chunk), [&s, st](error_code ec, std::size_t) {
      if (ec) {
        st->eof = true;
        return;
      }
      drain(s, st);
    });
  }

  static std::string upgrade_request(const std::string& target, const std::string& extra = {}) {
    return "GET " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
           extra + "\r\n";
  }

  // ------------------------------------------------------------------ child processes

  // Run argv (with the inherited environment) while serving; its exit status, or -1 if
  // it did not finish in time (then it is killed).
  int run_child(const std::vector<std::string>& argv, std::chrono::milliseconds limit = 30s) {
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
    int status = 0;
    bool exited = run_until(
        [&] {
          pid_t r = ::waitpid(pid, &status, WNOHANG);
          return r == pid;
        },
        limit);
    if (!exited) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  boost::asio::io_context io;
  fake_store store;
  std::unique_ptr<core::broker_core> broker;
  std::shared_ptr<mqtt::settings> cfg;
  std::string path = "/mqtt";
  tcp::acceptor acceptor{io, tcp::endpoint(boost::asio::ip::address_v4::loopback(), 0)};
  int live = 0;      // server connections whose token is still held
  int accepted = 0;  // sockets handed to start_ws_connection
  std::vector<std::unique_ptr<tcp::socket>> raw_;
};

// A WebSocket client speaking MQTT packets, on the bench's io_context.
class ws_client {
 public:
  ws_client(ws_bench& bench, mqtt::version ver = mqtt::version::v311) : b_(bench), ver_(ver) {
    ws_.control_callback([this](websocket::frame_type t, beast::string_view) {
      if (t == websocket::frame_type::pong) ++pongs;
    });
  }

  ~ws_client() {
    error_code ec;
    ws_.next_layer().close(ec);  // ends the read loop, which refers to this object
    if (reading_) b_.run_until([&] { return ended; });
  }
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // The opening handshake; `protocols` is the Sec-WebSocket-Protocol value (none if
  // empty). Returns the handshake error; the response is kept in `response`.
  error_code open(const std::string& protocols = "mqtt", const std::string& target = "/mqtt") {
    ws_.next_layer().connect(b_.acceptor.local_endpoint());
    ws_.next_layer().set_option(tcp::no_delay(true));  // small frames back to back
    ws_.set_option(websocket::stream_base::decorator([protocols](websocket::request_type& r) {
      if (!protocols.empty()) r.set(http::field::sec_websocket_protocol, protocols);
    }));
    bool done = false;
    error_code out;
    ws_.async_handshake(response, "127.0.0.1", target, [&](error_code ec) {
      out = ec;
      done = true;
    });
    if (!b_.run_until([&] { return done; })) return boost::asio::error::timed_out;
    if (!out) {
      ws_.binary(true);
      start_reading();
    }
    return out;
  }

  std::string encode(const mqtt::packet& p) const {
    std::string bytes;
    mqtt::encode(p, ver_, bytes);
    return bytes;
  }

  // Send `bytes` as one binary message (one frame).
  void send_raw(const std::string& bytes, bool text = false) {
    auto buf = std::make_shared<std::string>(bytes);
    bool done = false;
    ws_.text(text);
    ws_.async_write(boost::asio::buffer(*buf),
                    [buf, &done](error_code, std::size_t) { done = true; });
    ASSERT_TRUE(b_.run_until([&] { return done; }));
    ws_.binary(true);
  }
  void send(const mqtt::packet& p) { send_raw(encode(p)); }

  // Send `parts` as the frames of one fragmented binary message.
  void send_fragments(const std::vector<std::string>& parts) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      auto buf = std::make_shared<std::string>(parts[i]);
      bool done = false;
      ws_.async_write_some(i + 1 == parts.size(), boost::asio::buffer(*buf),
                           [buf, &done](error_code, std::size_t) { done = true; });
      ASSERT_TRUE(b_.run_until([&] { return done; }));
    }
  }

  // The next MQTT packet from the server (bytes reassembled across messages).
  std::optional<mqtt::packet> next(std::chrono::milliseconds limit = 5s) {
    std::optional<mqtt::packet> out;
    b_.run_until(
        [&] {
          mqtt::packet p;
          auto r = mqtt::decode(
              std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(rx.data()), rx.size()),
              ver_, 0, p);
          if (r.status == mqtt::decode_status::ok) {
            rx.erase(0, r.consumed);
            out = std::move(p);
            return true;
          }
          return ended;
        },
        limit);
    return out;
  }
  template <class T>
  T expect_next() {
    auto p = next();
    if (!p || !std::holds_alternative<T>(*p)) {
      ADD_FAILURE() << "expected packet index " << mqtt::packet(T{}).index() << ", got "
                    << (p ? std::to_string(p->index()) : "nothing (" + end.message() + ")");
      return T{};
    }
    return std::get<T>(std::move(*p));
  }

  // CONNECT and expect CONNACK 0.
  void connect(const std::string& id, std::optional<mqtt::will> will = {}) {
    mqtt::connect c;
    c.ver = ver_;
    if (ver_ == mqtt::version::v31) c.protocol_name = "MQIsdp";
    c.client_id = id;
    c.keep_alive = 60;
    c.will_msg = std::move(will);
    send(c);
    EXPECT_EQ(expect_next<mqtt::connack>().reason_code, 0);
  }
  void subscribe(const std::string& filter, uint8_t qos = 0, uint16_t id = 1) {
    mqtt::subscribe s;
    s.packet_id = id;
    s.entries.push_back({filter, qos});
    send(s);
    auto a = expect_next<mqtt::suback>();
    EXPECT_EQ(a.packet_id, id);
    ASSERT_EQ(a.reason_codes.size(), 1u);
    EXPECT_EQ(a.reason_codes[0], qos);
  }
  static mqtt::publish make_publish(const std::string& topic, std::string payload, uint8_t qos = 0,
                                    uint16_t id = 0) {
    mqtt::publish p;
    p.topic = topic;
    p.payload = std::move(payload);
    p.qos = qos;
    p.packet_id = id;
    return p;
  }

  bool wait_end(std::chrono::milliseconds limit = 5s) {
    return b_.run_until([&] { return ended; }, limit);
  }
  // Our side of the closing handshake.
  error_code close() {
    bool done = false;
    error_code out;
    ws_.async_close(websocket::close_code::normal, [&](error_code ec) {
      out = ec;
      done = true;
    });
    if (!b_.run_until([&] { return done && ended; })) return boost::asio::error::timed_out;
    return out;
  }
  error_code ping() {
    bool done = false;
    error_code out;
    ws_.async_ping({}, [&](error_code ec) {
      out = ec;
      done = true;
    });
    b_.run_until([&] { return done; });
    return out;
  }

  websocket::stream<tcp::socket>& stream() { return ws_; }

  websocket::response_type response;
  std::string rx;            // bytes received, not yet decoded
  std::size_t messages = 0;  // binary messages received
  bool ended = false;        // the read loop stopped
  error_code end;            // why
  int pongs = 0;

 private:
  void start_reading() {
    reading_ = true;
    buf_.clear();
    ws_.async_read(buf_, [this](error_code ec, std::size_t) {
      if (ec) {
        ended = true;
        end = ec;
        return;
      }
      EXPECT_TRUE(ws_.got_binary());
      ++messages;
      rx += beast::buffers_to_string(buf_.data());
      start_reading();
    });
  }

  ws_bench& b_;
  mqtt::version ver_;
  websocket::stream<tcp::socket> ws_{b_.io};
  beast::flat_buffer buf_;
  bool reading_ = false;
};

}  // namespace edgegw::test
