// CONNECT/STOMP: version negotiation, credentials, heart-beats, errors and closing.
#include "harness.hpp"

namespace edgegw::stomp::test {
namespace {

TEST(StompConnect, NegotiatesHighestCommonVersion) {
  harness h;
  h.feed("CONNECT\naccept-version:1.0,1.1\nhost:x\nlogin:alice\npasscode:secret\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "CONNECTED");
  EXPECT_EQ(hdr(f, "version"), "1.1");
  EXPECT_EQ(h.ch->protocol_version(), version::v11);
  ASSERT_EQ(h.broker.auth_calls.size(), 1u);
  EXPECT_EQ(h.broker.auth_calls[0].protocol, "stomp");
  EXPECT_EQ(h.broker.auth_calls[0].username.value_or(""), "alice");
  EXPECT_EQ(h.broker.auth_calls[0].password.value_or(""), "secret");
  EXPECT_EQ(hdr(f, "session"), "assigned-1");
  ASSERT_EQ(h.broker.open_calls.size(), 1u);
  EXPECT_TRUE(h.broker.open_calls[0].clean_start);
}

TEST(StompConnect, NoAcceptVersionIsStomp10) {
  harness h;
  h.feed("CONNECT\nlogin:a\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(hdr(f, "version"), "1.0");
  EXPECT_EQ(hdr(f, "heart-beat"), "<none>");
}

TEST(StompConnect, StompCommandAndClientId) {
  harness h;
  h.feed("STOMP\naccept-version:1.2\nclient-id:dev-7\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "CONNECTED");
  EXPECT_EQ(h.broker.auth_calls[0].client_id, "dev-7");
  EXPECT_EQ(hdr(f, "session"), "dev-7");
}

TEST(StompConnect, UnsupportedVersionIsErrorThenClose) {
  harness h;
  h.feed("CONNECT\naccept-version:2.0\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "version"), "1.0,1.1,1.2");
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.broker.auth_calls.empty());
}

TEST(StompConnect, BadCredentials) {
  harness h;
  h.broker.auth_error = errc::bad_credentials;
  h.feed("CONNECT\naccept-version:1.2\nlogin:a\npasscode:b\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "message"), "authentication failed");
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_FALSE(h.ch->connected());
}

TEST(StompConnect, FrameBeforeConnect) {
  harness h;
  h.feed("SEND\ndestination:a\nreceipt:9\n\nx\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "receipt-id"), "9");
  EXPECT_TRUE(h.ch->wants_close());
  EXPECT_TRUE(h.broker.published.empty());
}

TEST(StompConnect, ConnectTimeout) {
  harness h;
  ASSERT_TRUE(h.ch->next_deadline());
  h.advance(9s);
  EXPECT_FALSE(h.ch->wants_close());
  h.advance(2s);
  EXPECT_EQ(h.one().command, "ERROR");
  EXPECT_TRUE(h.ch->wants_close());
}

TEST(StompConnect, HeartBeatNegotiationAndSending) {
  settings s;
  s.heartbeat_send = 2000ms;
  s.heartbeat_receive = 3000ms;
  harness h(s);
  h.feed("CONNECT\naccept-version:1.2\nheart-beat:1000,5000\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(hdr(f, "heart-beat"), "2000,3000");
  // We send every max(2000, 5000) = 5 s; expect the client every max(1000, 3000) = 3 s.
  h.advance(4999ms);
  h.feed("\n");  // client heart-beat
  h.frames();
  EXPECT_EQ(h.heartbeats, 0);
  h.advance(1ms);
  h.frames();
  EXPECT_EQ(h.heartbeats, 1);
  EXPECT_FALSE(h.ch->wants_close());
}

TEST(StompConnect, HeartBeatTimeoutClosesWithError) {
  settings s;
  s.heartbeat_send = 0ms;
  s.heartbeat_receive = 1000ms;
  harness h(s);
  h.feed("CONNECT\naccept-version:1.1\nheart-beat:1000,0\n\n\0"s);
  h.one();
  h.advance(1500ms);
  h.feed("\n");
  h.advance(1900ms);
  EXPECT_FALSE(h.ch->wants_close());
  h.advance(200ms);  // 2.1 s of silence > 2 x 1 s
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "message"), "heart-beat timeout");
  EXPECT_TRUE(h.ch->wants_close());
  ASSERT_EQ(h.broker.closes.size(), 1u);
  EXPECT_EQ(h.broker.closes[0].reason, close_reason::keepalive_timeout);
}

TEST(StompConnect, NoHeartBeatsWhenClientAsksNone) {
  harness h;
  h.connect();
  EXPECT_FALSE(h.ch->next_deadline());
}

TEST(StompConnect, MalformedAndUnknownAreCountedErrors) {
  for (std::string bad : {"FOO\n\n\0"s, "SEND\nx:a\\qb\n\n\0"s, "send\n\n\0"s}) {
    harness h;
    h.connect();
    h.feed(bad);
    auto f = h.one();
    EXPECT_EQ(f.command, "ERROR") << bad;
    EXPECT_TRUE(h.ch->wants_close());
    EXPECT_EQ(h.broker.metrics().packets_malformed.load(), 1u);
    EXPECT_EQ(h.broker.closes.size(), 1u);
  }
}

TEST(StompConnect, OverLimitFrame) {
  settings s;
  s.frame_limits.max_body = 10;
  harness h(s);
  h.connect();
  h.feed("SEND\ndestination:a\ncontent-length:11\n\n"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "message"), "frame too large");
  EXPECT_EQ(h.broker.metrics().packets_malformed.load(), 1u);
}

TEST(StompConnect, DisconnectWithReceipt) {
  harness h;
  h.connect();
  h.feed("DISCONNECT\nreceipt:77\n\n\0"s);
  auto f = h.one();
  EXPECT_EQ(f.command, "RECEIPT");
  EXPECT_EQ(hdr(f, "receipt-id"), "77");
  EXPECT_TRUE(h.ch->wants_close());
  ASSERT_EQ(h.broker.closes.size(), 1u);
  EXPECT_EQ(h.broker.closes[0].reason, close_reason::normal);
}

TEST(StompConnect, TransportLossEndsSession) {
  harness h;
  h.connect();
  h.ch->on_transport_closed();
  ASSERT_EQ(h.broker.closes.size(), 1u);
  EXPECT_EQ(h.broker.closes[0].reason, close_reason::connection_lost);
}

TEST(StompConnect, SessionTakenOver) {
  harness h;
  h.connect();
  h.ch->on_session_closed(close_reason::taken_over, h.now);
  auto f = h.one();
  EXPECT_EQ(f.command, "ERROR");
  EXPECT_EQ(hdr(f, "message"), "session taken over");
  EXPECT_TRUE(h.ch->wants_close());
}

}  // namespace
}  // namespace edgegw::stomp::test
