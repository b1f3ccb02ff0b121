// CONNECT, the will handshake, refusals, address changes, forwarders, unknown clients,
// keepalive and malformed datagrams.
#include "fixture.hpp"

namespace edgegw::mqttsn::test {
namespace {

TEST_F(GatewayTest, ConnectOpensABrokerSessionWithTheClientIdAsCredentials) {
  connected("sensor-1", 30);
  ASSERT_EQ(broker.auth_calls.size(), 1u);
  const auto& c = broker.auth_calls[0];
  EXPECT_EQ(c.protocol, "mqttsn");
  EXPECT_EQ(c.client_id, "sensor-1");
  EXPECT_FALSE(c.username.has_value());
  EXPECT_EQ(c.mountpoint, "mp/");
  EXPECT_EQ(c.peer, "127.0.0.1:5000");
  ASSERT_EQ(broker.open_calls.size(), 1u);
  EXPECT_TRUE(broker.open_calls[0].clean_start);
  EXPECT_EQ(broker.open_calls[0].expiry_interval, 0u);
  EXPECT_EQ(broker.open_calls[0].keepalive, 30);
  EXPECT_FALSE(broker.open_calls[0].will.has_value());
  EXPECT_EQ(stats.clients_active.load(), 1);
}

TEST_F(GatewayTest, PersistentSessionGetsTheConfiguredExpiry) {
  connect c;
  c.client_id = "p";
  send(c);
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  EXPECT_FALSE(broker.open_calls[0].clean_start);
  EXPECT_EQ(broker.open_calls[0].expiry_interval, cfg.session_expiry);
}

TEST_F(GatewayTest, WillHandshake) {
  connect c;
  c.client_id = "w";
  c.f.will = true;
  send(c);
  next<willtopicreq>();
  EXPECT_TRUE(broker.open_calls.empty());
  willtopic t;
  t.f.qos = 1;
  t.f.retain = true;
  t.topic = "will/w";
  send(t);
  next<willmsgreq>();
  send(willmsg{msg_type::willmsg, "gone"});
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  ASSERT_EQ(broker.open_calls.size(), 1u);
  const auto& w = broker.open_calls[0].will;
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->msg->topic, "will/w");
  EXPECT_EQ(w->msg->payload, "gone");
  EXPECT_EQ(w->msg->qos, 1);
  EXPECT_TRUE(w->msg->retain);
}

TEST_F(GatewayTest, EmptyWillTopicMeansNoWill) {
  connect c;
  c.client_id = "w";
  c.f.will = true;
  send(c);
  next<willtopicreq>();
  willtopic t;
  t.empty = true;
  send(t);
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  EXPECT_FALSE(broker.open_calls[0].will.has_value());
}

TEST_F(GatewayTest, WillHandshakeTimesOut) {
  cfg.connect_timeout = 2s;
  connect c;
  c.client_id = "w";
  c.f.will = true;
  send(c);
  next<willtopicreq>();
  EXPECT_EQ(gw().client_count(), 1u);
  advance(2s);
  EXPECT_EQ(gw().client_count(), 0u);
  EXPECT_TRUE(broker.open_calls.empty());
}

TEST_F(GatewayTest, WillUpdates) {
  connected();
  willtopic t;
  t.type = msg_type::willtopicupd;
  t.topic = "will/new";
  t.f.qos = 2;
  send(t);
  EXPECT_EQ(next<will_resp>().rc, return_code::accepted);
  ASSERT_TRUE(broker.sess->will.has_value());
  EXPECT_EQ(broker.sess->will->msg->topic, "will/new");
  EXPECT_EQ(broker.sess->will->msg->qos, 2);
  send(willmsg{msg_type::willmsgupd, "new words"});
  auto r = next<will_resp>();
  EXPECT_EQ(r.type, msg_type::willmsgresp);
  EXPECT_EQ(r.rc, return_code::accepted);
  EXPECT_EQ(broker.sess->will->msg->payload, "new words");
  willtopic del;
  del.type = msg_type::willtopicupd;
  del.empty = true;
  send(del);
  EXPECT_EQ(next<will_resp>().rc, return_code::accepted);
  EXPECT_FALSE(broker.sess->will.has_value());
  send(willmsg{msg_type::willmsgupd, "no topic"});
  EXPECT_EQ(next<will_resp>().rc, return_code::not_supported);
}

TEST_F(GatewayTest, RefusedByAuthenticationIsNotSupported) {
  broker.auth_error = errc::not_authorized;
  connect c;
  c.client_id = "x";
  send(c);
  EXPECT_EQ(next<connack>().rc, return_code::not_supported);
  EXPECT_EQ(gw().client_count(), 0u);
  EXPECT_EQ(stats.connects_refused.load(), 1u);
}

TEST_F(GatewayTest, BusyBrokerIsCongestion) {
  broker.open_error = errc::server_busy;
  connect c;
  c.client_id = "x";
  send(c);
  EXPECT_EQ(next<connack>().rc, return_code::congestion);
}

TEST_F(GatewayTest, WrongProtocolIdIsNotSupported) {
  connect c;
  c.client_id = "x";
  c.protocol_id = 2;
  send(c);
  EXPECT_EQ(next<connack>().rc, return_code::not_supported);
  EXPECT_TRUE(broker.auth_calls.empty());
}

TEST_F(GatewayTest, MaxClientsGivesCongestion) {
  cfg.max_clients = 1;
  connected("a", 60, addr(5000));
  connect c;
  c.client_id = "b";
  send(c, addr(5001));
  EXPECT_EQ(next<connack>().rc, return_code::congestion);
  EXPECT_EQ(broker.open_calls.size(), 1u);
}

TEST_F(GatewayTest, SameClientIdFromANewAddressMovesTheClient) {
  connected("mover", 60, addr(5000));
  send(reg{0, 1, "a/b"}, addr(5000));
  EXPECT_EQ(next<regack>().topic_id, 1025);
  connect c;
  c.client_id = "mover";
  send(c, addr(6000));
  auto s = std::move(out.front());
  EXPECT_EQ(s.to.port(), 6000);
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  EXPECT_EQ(gw().client_count(), 1u);
  EXPECT_EQ(stats.takeovers.load(), 1u);
  // The old address is no client any more.
  send(pingreq{}, addr(5000));
  EXPECT_TRUE(std::holds_alternative<disconnect>(out.front().p));
  EXPECT_EQ(out.front().to.port(), 5000);
}

TEST_F(GatewayTest, AnotherClientIdFromTheSameAddressReplacesTheOld) {
  connected("first", 60, addr(5000));
  connected("second", 60, addr(5000));
  EXPECT_EQ(gw().client_count(), 1u);
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_EQ(broker.closes[0].reason, close_reason::connection_lost);
  EXPECT_TRUE(broker.closes[0].send_will);
}

TEST_F(GatewayTest, UnknownClientGetsDisconnect) {
  publish p;
  p.f.qos = 1;
  p.topic_id = 1025;
  p.msg_id = 1;
  send(p);
  next<disconnect>();
  EXPECT_EQ(stats.unknown_client.load(), 1u);
  send(disconnect{});  // never answered: two gateways must not ping-pong
  expect_silence();
}

TEST_F(GatewayTest, SearchGwIsAnsweredWithGwInfo) {
  cfg.gateway_id = 42;
  send(searchgw{1}, addr(7000));
  EXPECT_EQ(out.front().to.port(), 7000);
  EXPECT_EQ(next<gwinfo>().gw_id, 42);
}

TEST_F(GatewayTest, ForwardedClientIsAnsweredEncapsulated) {
  std::string inner;
  encode(connect{{false, 0, false, false, true, topic_id_type::normal}, 1, 60, "radio-1"}, inner);
  send(encapsulated{0x01, "\x12\x34", inner}, addr(9000));
  auto e = next<encapsulated>();
  EXPECT_EQ(e.node_id, "\x12\x34");
  packet p;
  ASSERT_EQ(
      decode(std::span(reinterpret_cast<const uint8_t*>(e.inner.data()), e.inner.size()), p).status,
      decode_status::ok);
  ASSERT_TRUE(std::holds_alternative<connack>(p));
  EXPECT_EQ(broker.auth_calls[0].peer, "127.0.0.1:9000/node=1234");
  // Another node behind the same forwarder is another client.
  std::string inner2;
  encode(connect{{false, 0, false, false, true, topic_id_type::normal}, 1, 60, "radio-2"}, inner2);
  send(encapsulated{0x01, "\x99", inner2}, addr(9000));
  EXPECT_EQ(gw().client_count(), 2u);
}

TEST_F(GatewayTest, MalformedDatagramsAreDroppedAndCounted) {
  connected();
  send_raw(std::string("\x05\x0c\x00", 3), addr(5000));
  send_raw(std::string("\x02\xff", 2), addr(5000));
  send_raw(std::string("\x04\xfe\x00\x01\x05\xfe\x00\x01\x02\x16", 10), addr(5000));  // nested
  expect_silence();
  EXPECT_EQ(stats.malformed.load(), 3u);
  EXPECT_EQ(broker.metrics().packets_malformed.load(), 3u);
  EXPECT_EQ(gw().client_count(), 1u);  // a bad datagram does not end the client
}

TEST_F(GatewayTest, KeepaliveExpiryFiresTheWill) {
  connected("ka", 10);
  advance(14s);
  EXPECT_TRUE(broker.closes.empty());
  send(pingreq{});
  next<pingresp>();
  advance(14s);  // 1.5 x 10 s after the PINGREQ not yet reached
  EXPECT_TRUE(broker.closes.empty());
  advance(1s);
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_EQ(broker.closes[0].reason, close_reason::keepalive_timeout);
  EXPECT_TRUE(broker.closes[0].send_will);
  EXPECT_EQ(gw().client_count(), 0u);
  EXPECT_EQ(stats.clients_lost.load(), 1u);
}

TEST_F(GatewayTest, DisconnectEndsWithoutWill) {
  connected();
  send(disconnect{});
  next<disconnect>();
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_EQ(broker.closes[0].reason, close_reason::normal);
  EXPECT_FALSE(broker.closes[0].send_will);
  EXPECT_EQ(gw().client_count(), 0u);
  EXPECT_EQ(stats.clients_active.load(), 0);
}

TEST_F(GatewayTest, BrokerTakeOverDisconnectsTheClient) {
  connected();
  gw().on_session_closed(last_serial, last_gen, close_reason::taken_over, now);
  collect();
  next<disconnect>();
  EXPECT_EQ(gw().client_count(), 0u);
  // A stale generation is ignored.
  connected("c2");
  gw().on_session_closed(last_serial, last_gen - 1, close_reason::taken_over, now);
  collect();
  expect_silence();
  EXPECT_EQ(gw().client_count(), 1u);
}

TEST_F(GatewayTest, ShutdownClosesSessionsWithoutWills) {
  connected();
  gw().shutdown();
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_EQ(broker.closes[0].reason, close_reason::server_shutdown);
  EXPECT_FALSE(broker.closes[0].send_will);
}

}  // namespace
}  // namespace edgegw::mqttsn::test
