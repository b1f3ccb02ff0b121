// MQTT over an accepted WebSocket against the real core broker: round trips, packets split
// across frames and messages or sharing one, big packets both ways, the closing handshake
// in both directions, wills on an unclean end, and the MQTT-over-WebSocket refusals
// (text frames, oversized messages).
#include "ws_fixture.hpp"

namespace edgegw::test {
namespace {

using ws_mqtt = ws_bench;

TEST_F(ws_mqtt, subscribe_publish_round_trip_qos0_and_qos1) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("rt");
  c.subscribe("ws/t", 1);
  c.send(ws_client::make_publish("ws/t", "zero"));
  auto p0 = c.expect_next<mqtt::publish>();
  EXPECT_EQ(p0.topic, "ws/t");
  EXPECT_EQ(p0.payload, "zero");
  EXPECT_EQ(p0.qos, 0);

  c.send(ws_client::make_publish("ws/t", "one", 1, 7));
  // PUBACK for ours and the delivery, in either order.
  bool acked = false, delivered = false;
  for (int i = 0; i < 2; ++i) {
    auto p = c.next();
    ASSERT_TRUE(p);
    if (auto* a = std::get_if<mqtt::pub_response>(&*p)) {
      EXPECT_EQ(a->packet_id, 7);
      acked = true;
    } else if (auto* d = std::get_if<mqtt::publish>(&*p)) {
      EXPECT_EQ(d->payload, "one");
      EXPECT_EQ(d->qos, 1);
      mqtt::pub_response ack;
      ack.packet_id = d->packet_id;
      c.send(ack);
      delivered = true;
    }
  }
  EXPECT_TRUE(acked && delivered);

  c.send(mqtt::pingreq{});
  c.expect_next<mqtt::pingresp>();
}

TEST_F(ws_mqtt, publish_between_two_clients) {
  ws_client sub(*this, mqtt::version::v5), pub(*this);
  ASSERT_FALSE(sub.open());
  ASSERT_FALSE(pub.open(""));
  sub.connect("sub");
  sub.subscribe("a/+");
  pub.connect("pub");
  pub.send(ws_client::make_publish("a/b", "hello"));
  auto p = sub.expect_next<mqtt::publish>();
  EXPECT_EQ(p.topic, "a/b");
  EXPECT_EQ(p.payload, "hello");
}

TEST_F(ws_mqtt, a_packet_split_across_two_messages_at_every_offset) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("split");
  c.subscribe("s/t");
  const std::string bytes = c.encode(ws_client::make_publish("s/t", std::string(150, 'p')));
  for (std::size_t k = 1; k < bytes.size(); ++k) {
    c.send_raw(bytes.substr(0, k));
    c.send_raw(bytes.substr(k));
    auto p = c.expect_next<mqtt::publish>();
    ASSERT_EQ(p.payload, std::string(150, 'p')) << "split at " << k;
  }
}

TEST_F(ws_mqtt, packets_split_across_the_frames_of_fragmented_messages) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  mqtt::connect conn;
  conn.client_id = "frag";
  conn.keep_alive = 60;
  const std::string cb = c.encode(conn);
  c.send_fragments({cb.substr(0, 1), cb.substr(1, 5), cb.substr(6)});
  EXPECT_EQ(c.expect_next<mqtt::connack>().reason_code, 0);
  c.subscribe("f/t");
  const std::string p1 = c.encode(ws_client::make_publish("f/t", "first"));
  const std::string p2 = c.encode(ws_client::make_publish("f/t", "second"));
  // Message 1: p1 in two frames, the second also starting p2; message 2: p2's rest.
  c.send_fragments({p1.substr(0, 3), p1.substr(3) + p2.substr(0, 4)});
  c.send_raw(p2.substr(4));
  EXPECT_EQ(c.expect_next<mqtt::publish>().payload, "first");
  EXPECT_EQ(c.expect_next<mqtt::publish>().payload, "second");
}

TEST_F(ws_mqtt, several_packets_in_one_frame) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  mqtt::connect conn;
  conn.client_id = "multi";
  conn.keep_alive = 60;
  mqtt::subscribe s;
  s.packet_id = 3;
  s.entries.push_back({"m/t", 0});
  c.send_raw(c.encode(conn) + c.encode(s));
  EXPECT_EQ(c.expect_next<mqtt::connack>().reason_code, 0);
  EXPECT_EQ(c.expect_next<mqtt::suback>().packet_id, 3);
  c.send_raw(c.encode(ws_client::make_publish("m/t", "1")) + c.encode(mqtt::pingreq{}) +
             c.encode(ws_client::make_publish("m/t", "2")));
  std::vector<std::string> got;
  int pings = 0;
  for (int i = 0; i < 3; ++i) {
    auto p = c.next();
    ASSERT_TRUE(p);
    if (auto* pub = std::get_if<mqtt::publish>(&*p)) got.push_back(pub->payload);
    if (std::holds_alternative<mqtt::pingresp>(*p)) ++pings;
  }
  EXPECT_EQ(got, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(pings, 1);
}

TEST_F(ws_mqtt, big_packets_both_ways) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("big");
  c.subscribe("b/t");
  std::string payload(300 * 1024, 'x');
  for (std::size_t i = 0; i < payload.size(); i += 997) payload[i] = static_cast<char>(i);
  c.send(ws_client::make_publish("b/t", payload));
  auto p = c.expect_next<mqtt::publish>();
  EXPECT_EQ(p.payload, payload);
}

TEST_F(ws_mqtt, disconnect_ends_with_a_websocket_close_handshake) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("bye");
  c.send(mqtt::disconnect{});
  ASSERT_TRUE(c.wait_end());
  EXPECT_EQ(c.end, websocket::error::closed) << c.end.message();
  EXPECT_EQ(c.stream().reason().code, websocket::close_code::normal);
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

TEST_F(ws_mqtt, a_protocol_violation_closes_with_a_close_frame) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("bad");
  c.send_raw(std::string("\x00\x00", 2));  // reserved packet type 0
  ASSERT_TRUE(c.wait_end());
  EXPECT_EQ(c.end, websocket::error::closed) << c.end.message();
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

TEST_F(ws_mqtt, a_client_close_handshake_is_answered_and_fires_the_will) {
  ws_client watcher(*this);
  ASSERT_FALSE(watcher.open());
  watcher.connect("watcher");
  watcher.subscribe("will/#");

  ws_client c(*this);
  ASSERT_FALSE(c.open());
  mqtt::will w;
  w.topic = "will/c";
  w.payload = "gone";
  c.connect("mortal", w);
  EXPECT_FALSE(c.close()) << "the server did not answer our close frame";
  auto p = watcher.expect_next<mqtt::publish>();
  EXPECT_EQ(p.topic, "will/c");
  EXPECT_EQ(p.payload, "gone");
  ASSERT_TRUE(run_until([&] { return live == 1; }));
}

TEST_F(ws_mqtt, pings_are_answered) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("pinger");
  EXPECT_FALSE(c.ping());
  ASSERT_TRUE(run_until([&] { return c.pongs == 1; }));
  c.send(mqtt::pingreq{});
  c.expect_next<mqtt::pingresp>();
}

TEST_F(ws_mqtt, a_text_frame_closes_the_connection) {
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("texter");
  c.send_raw(c.encode(mqtt::pingreq{}), /*text=*/true);
  ASSERT_TRUE(c.wait_end());
  ASSERT_TRUE(run_until([&] { return live == 0; }));
  EXPECT_TRUE(c.rx.empty()) << "the text frame was processed";
}

// A QoS 0 PUBLISH to `topic` whose encoding is exactly `size` bytes (10..129, 131..16386).
std::string publish_of_size(const ws_client& c, const std::string& topic, std::size_t size) {
  const std::size_t remaining = size <= 129 ? size - 2 : size - 3;
  auto p = ws_client::make_publish(topic, std::string(remaining - 2 - topic.size(), 'f'));
  std::string out = c.encode(p);
  EXPECT_EQ(out.size(), size);
  return out;
}

// Valid packets of at most 1004 bytes to an unsubscribed topic (and PINGREQs where no
// PUBLISH size fits) adding up to exactly `total` bytes; counts the PINGREQs.
std::string filler(const ws_client& c, std::size_t total, int& pings) {
  std::string out;
  std::size_t rem = total;
  while (rem > 0) {
    if (rem >= 1004 + 10) {
      out += publish_of_size(c, "fill/x", 1004);
      rem -= 1004;
    } else if (rem <= 1004 && rem >= 10 && rem != 130) {
      out += publish_of_size(c, "fill/x", rem);
      rem = 0;
    } else {
      out += c.encode(mqtt::pingreq{});
      ++pings;
      rem -= 2;
    }
  }
  return out;
}

TEST_F(ws_mqtt, a_message_over_the_limit_is_refused_with_1009) {
  cfg->max_packet_size = 1024;
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("greedy");
  c.stream().auto_fragment(false);  // one frame, refused from its header
  // Valid packets, but one message longer than a packet and its neighbours may be.
  int pings = 0;
  c.send_raw(filler(c, 1024 + mqtt::ws_message_slack + 1, pings));
  // (How the client's read ends depends on its write still being in flight; the close
  // frame it received tells why.)
  ASSERT_TRUE(c.wait_end());
  EXPECT_EQ(c.stream().reason().code, websocket::close_code::too_big);
  EXPECT_TRUE(c.rx.empty()) << "part of the oversized message was processed";
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

TEST_F(ws_mqtt, a_message_at_the_limit_is_accepted) {
  cfg->max_packet_size = 1024;
  ws_client c(*this);
  ASSERT_FALSE(c.open());
  c.connect("fits");
  c.subscribe("l/t");
  // A packet of exactly max_packet_size, then others, up to the message limit exactly.
  int pings = 0;
  std::string msg = publish_of_size(c, "l/t", 1024);
  msg += filler(c, mqtt::ws_message_slack - 2, pings);
  msg += c.encode(mqtt::pingreq{});
  ++pings;
  ASSERT_EQ(msg.size(), 1024 + mqtt::ws_message_slack);
  c.send_raw(msg);
  EXPECT_EQ(c.expect_next<mqtt::publish>().topic, "l/t");
  for (int i = 0; i < pings; ++i) {
    auto p = c.next();
    ASSERT_TRUE(p && std::holds_alternative<mqtt::pingresp>(*p)) << i;
  }
}

TEST_F(ws_mqtt, a_client_vanishing_mid_session_releases_everything) {
  {
    ws_client c(*this);
    ASSERT_FALSE(c.open());
    c.connect("vanish");
    c.subscribe("v/t");
  }  // TCP closed without a close frame
  ASSERT_TRUE(run_until([&] { return live == 0; }));
}

}  // namespace
}  // namespace edgegw::test
