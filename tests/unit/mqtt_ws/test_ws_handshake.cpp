// The opening handshake over loopback: subprotocol echo, refusals with their HTTP status
// (and the connection closed after), the request time and size limits.
#include "ws_fixture.hpp"

namespace edgegw::test {
namespace {

using ws_handshake = ws_bench;

std::string header(const websocket::response_type& r, http::field f) {
  auto it = r.find(f);
  return it == r.end() ? std::string("<none>") : std::string(it->value());
}

TEST_F(ws_handshake, echoes_mqtt_and_runs_mqtt) {
  ws_client c(*this);
  ASSERT_FALSE(c.open("mqtt"));
  EXPECT_EQ(c.response.result(), http::status::switching_protocols);
  EXPECT_EQ(header(c.response, http::field::sec_websocket_protocol), "mqtt");
  EXPECT_EQ(header(c.response, http::field::server), "edgegw");
  EXPECT_EQ(header(c.response, http::field::sec_websocket_extensions), "<none>");
  c.connect("hs1");
}

TEST_F(ws_handshake, echoes_the_first_supported_of_several) {
  ws_client c(*this, mqtt::version::v31);
  ASSERT_FALSE(c.open("chat, mqttv3.1, mqtt"));
  EXPECT_EQ(header(c.response, http::field::sec_websocket_protocol), "mqttv3.1");
  c.connect("hs31");  // an MQTT 3.1 client, as mqttv3.1 announces
}

TEST_F(ws_handshake, accepts_a_client_offering_no_subprotocol) {
  ws_client c(*this, mqtt::version::v5);
  ASSERT_FALSE(c.open(""));
  EXPECT_EQ(header(c.response, http::field::sec_websocket_protocol), "<none>");
  c.connect("hs5");
}

TEST_F(ws_handshake, refuses_compression_offers_by_ignoring_them) {
  auto r = http_exchange(
      upgrade_request(
          "/mqtt",
          "Sec-WebSocket-Protocol: mqtt\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"),
      /*expect_close=*/false);
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::switching_protocols);
  EXPECT_EQ(r.res->count(http::field::sec_websocket_extensions), 0u);
}

TEST_F(ws_handshake, wrong_path_is_404_and_closed) {
  auto r = http_exchange(upgrade_request("/other", "Sec-WebSocket-Protocol: mqtt\r\n"));
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::not_found);
  EXPECT_TRUE(r.closed_after);
  run_until([&] { return live == 0; });
  EXPECT_EQ(live, 0);
}

TEST_F(ws_handshake, wrong_path_fails_a_websocket_client) {
  ws_client c(*this);
  auto ec = c.open("mqtt", "/ws");
  EXPECT_EQ(ec, websocket::error::upgrade_declined);
  EXPECT_EQ(c.response.result(), http::status::not_found);
}

TEST_F(ws_handshake, unsupported_subprotocol_is_400) {
  auto r = http_exchange(upgrade_request("/mqtt", "Sec-WebSocket-Protocol: chat\r\n"));
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::bad_request);
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, plain_http_is_426_with_upgrade_header) {
  auto r = http_exchange("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::upgrade_required);
  EXPECT_EQ((*r.res)[http::field::upgrade], "websocket");
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, other_websocket_version_is_426_from_beast) {
  std::string req = upgrade_request("/mqtt");
  req.replace(req.find("Version: 13"), 11, "Version: 8");
  auto r = http_exchange(req);
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::upgrade_required);
  EXPECT_EQ((*r.res)[http::field::sec_websocket_version], "13");
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, missing_key_is_400) {
  std::string req = upgrade_request("/mqtt");
  req.erase(req.find("Sec-WebSocket-Key"),
            std::string("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n").size());
  auto r = http_exchange(req);
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::bad_request);
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, post_with_body_is_refused) {
  auto r = http_exchange("POST /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::bad_request);
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, garbage_is_400) {
  // An MQTT client pointed at the WebSocket port: its CONNECT is no HTTP.
  const char connect[] = "\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00";
  auto r = http_exchange(std::string(connect, sizeof connect - 1));
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::bad_request);
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, oversized_header_is_431) {
  std::string filler = "X-Filler: " + std::string(mqtt::ws_max_request_header, 'a') + "\r\n";
  auto r = http_exchange(upgrade_request("/mqtt", filler));
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::request_header_fields_too_large);
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, frames_sent_before_the_answer_are_refused) {
  auto r = http_exchange(upgrade_request("/mqtt", "Sec-WebSocket-Protocol: mqtt\r\n") +
                         std::string("\x82\x80\x00\x00\x00\x00", 6));
  ASSERT_TRUE(r.res);
  EXPECT_EQ(r.res->result(), http::status::bad_request);
  EXPECT_TRUE(r.closed_after);
}

TEST_F(ws_handshake, a_silent_client_is_dropped_after_idle_timeout) {
  cfg->idle_timeout = 200ms;
  tcp::socket s(io);
  s.connect(acceptor.local_endpoint());
  ASSERT_TRUE(run_until([&] { return accepted == 1; }));
  EXPECT_EQ(live, 1);
  std::array<char, 16> buf{};
  bool eof = false;
  s.async_read_some(boost::asio::buffer(buf), [&](error_code ec, std::size_t) { eof = bool(ec); });
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return eof && live == 0; }));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
}

TEST_F(ws_handshake, a_partial_request_is_dropped_after_idle_timeout) {
  cfg->idle_timeout = 200ms;
  auto r = http_exchange("GET /mqtt HTTP/1.1\r\nHost: 1");
  EXPECT_FALSE(r.res);  // no answer, just the close
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

}  // namespace
}  // namespace edgegw::test
