// Every MQTT-SN 1.2 message (section 5.4) decoded from annotated bytes, and encoded back to
// the same bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocols/mqttsn/codec/codec.hpp"

namespace edgegw::mqttsn {
namespace {

std::vector<uint8_t> B(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int x : v) out.push_back(static_cast<uint8_t>(x));
  return out;
}

std::vector<uint8_t> cat(std::vector<uint8_t> a, const std::string& s) {
  a.insert(a.end(), s.begin(), s.end());
  return a;
}

// Decode `wire`, check it equals `want`, encode `want` and check the bytes.
void round_trip(const std::vector<uint8_t>& wire, const packet& want) {
  packet got;
  auto r = decode(wire, got);
  ASSERT_EQ(r.status, decode_status::ok) << (r.error ? r.error : "");
  EXPECT_TRUE(got == want) << "decoded value differs, type " << to_string(type_of(want));
  std::string out;
  EXPECT_EQ(encode(want, out), wire.size());
  EXPECT_EQ(std::vector<uint8_t>(out.begin(), out.end()), wire);
}

TEST(RoundTrip, Advertise) {
  // len 5, ADVERTISE, GwId 7, Duration 900 s
  round_trip(B({0x05, 0x00, 0x07, 0x03, 0x84}), advertise{7, 900});
}

TEST(RoundTrip, SearchGw) {
  round_trip(B({0x03, 0x01, 0x02}), searchgw{2});  // radius 2
}

TEST(RoundTrip, GwInfoFromGatewayAndFromClient) {
  round_trip(B({0x03, 0x02, 0x09}), gwinfo{9, ""});
  // A client answering for a gateway adds its address.
  round_trip(B({0x07, 0x02, 0x09, 0x0A, 0x00, 0x00, 0x01}),
             gwinfo{9, std::string("\x0a\0\0\1", 4)});
}

TEST(RoundTrip, Connect) {
  // len 10, CONNECT, flags: will + clean session (0x0C), protocol id 1, duration 60, "sens1"
  connect c;
  c.f.will = true;
  c.f.clean_session = true;
  c.duration = 60;
  c.client_id = "sens1";
  round_trip(cat(B({0x0B, 0x04, 0x0C, 0x01, 0x00, 0x3C}), "sens1"), c);
}

TEST(RoundTrip, ConnackAndReturnCodes) {
  round_trip(B({0x03, 0x05, 0x00}), connack{return_code::accepted});
  round_trip(B({0x03, 0x05, 0x01}), connack{return_code::congestion});
  round_trip(B({0x03, 0x05, 0x02}), connack{return_code::invalid_topic_id});
  round_trip(B({0x03, 0x05, 0x03}), connack{return_code::not_supported});
}

TEST(RoundTrip, WillHandshake) {
  round_trip(B({0x02, 0x06}), willtopicreq{});
  round_trip(B({0x02, 0x08}), willmsgreq{});
  willtopic w;
  w.f.qos = 1;
  w.f.retain = true;
  w.topic = "w/t";
  // len 6, WILLTOPIC, flags QoS 1 (0x20) + retain (0x10), "w/t"
  round_trip(cat(B({0x06, 0x07, 0x30}), "w/t"), w);
  round_trip(cat(B({0x05, 0x09}), "bye"), willmsg{msg_type::willmsg, "bye"});
}

TEST(RoundTrip, EmptyWillTopicDeletes) {
  willtopic w;
  w.empty = true;
  round_trip(B({0x02, 0x07}), w);
  w.type = msg_type::willtopicupd;
  round_trip(B({0x02, 0x1A}), w);
}

TEST(RoundTrip, WillUpdates) {
  willtopic w;
  w.type = msg_type::willtopicupd;
  w.f.qos = 2;  // 0x40
  w.topic = "x";
  round_trip(cat(B({0x04, 0x1A, 0x40}), "x"), w);
  round_trip(B({0x03, 0x1B, 0x00}), will_resp{msg_type::willtopicresp, return_code::accepted});
  round_trip(cat(B({0x04, 0x1C}), "hi"), willmsg{msg_type::willmsgupd, "hi"});
  round_trip(B({0x03, 0x1D, 0x03}), will_resp{msg_type::willmsgresp, return_code::not_supported});
}

TEST(RoundTrip, RegisterAndRegack) {
  // len 9, REGISTER, TopicId 0 (from a client), MsgId 0x0102, "a/b"
  round_trip(cat(B({0x09, 0x0A, 0x00, 0x00, 0x01, 0x02}), "a/b"), reg{0, 0x0102, "a/b"});
  // len 7, REGACK, TopicId 1025, MsgId 0x0102, accepted
  round_trip(B({0x07, 0x0B, 0x04, 0x01, 0x01, 0x02, 0x00}),
             regack{1025, 0x0102, return_code::accepted});
}

TEST(RoundTrip, PublishEveryQosAndTopicType) {
  publish p;
  p.f.qos = 1;
  p.f.dup = true;
  p.f.retain = true;
  p.topic_id = 1025;
  p.msg_id = 7;
  p.data = "hello";
  // flags: DUP 0x80 | QoS1 0x20 | retain 0x10 | normal = 0xB0
  round_trip(cat(B({0x0C, 0x0C, 0xB0, 0x04, 0x01, 0x00, 0x07}), "hello"), p);
  publish m1;
  m1.f.qos = -1;
  m1.f.id_type = topic_id_type::predefined;
  m1.topic_id = 5;
  m1.data = "t";
  // QoS -1 = 0b11 << 5 (0x60) | predefined 0x01
  round_trip(cat(B({0x08, 0x0C, 0x61, 0x00, 0x05, 0x00, 0x00}), "t"), m1);
  publish s;
  s.f.qos = 2;
  s.f.id_type = topic_id_type::short_name;
  s.topic_id = short_topic_id('a', 'b');
  s.msg_id = 0xFFFF;
  round_trip(B({0x07, 0x0C, 0x42, 'a', 'b', 0xFF, 0xFF}), s);
  EXPECT_EQ(short_topic_name(s.topic_id), "ab");
}

TEST(RoundTrip, PubackAndQos2Flow) {
  round_trip(B({0x07, 0x0D, 0x04, 0x01, 0x00, 0x09, 0x02}),
             puback{1025, 9, return_code::invalid_topic_id});
  round_trip(B({0x04, 0x0F, 0x00, 0x09}), msg_id_only{msg_type::pubrec, 9});
  round_trip(B({0x04, 0x10, 0x00, 0x09}), msg_id_only{msg_type::pubrel, 9});
  round_trip(B({0x04, 0x0E, 0x00, 0x09}), msg_id_only{msg_type::pubcomp, 9});
}

TEST(RoundTrip, SubscribeByNameIdAndShortName) {
  subscribe n;
  n.f.qos = 1;
  n.msg_id = 3;
  n.topic_name = "s/+";
  round_trip(cat(B({0x08, 0x12, 0x20, 0x00, 0x03}), "s/+"), n);
  subscribe p;
  p.f.qos = 2;
  p.f.id_type = topic_id_type::predefined;
  p.msg_id = 4;
  p.topic_id = 12;
  round_trip(B({0x07, 0x12, 0x41, 0x00, 0x04, 0x00, 0x0C}), p);
  subscribe s;
  s.f.id_type = topic_id_type::short_name;
  s.msg_id = 5;
  s.topic_id = short_topic_id('x', 'y');
  round_trip(B({0x07, 0x12, 0x02, 0x00, 0x05, 'x', 'y'}), s);
  // len 8, SUBACK, flags QoS 1, TopicId 1026, MsgId 3, accepted
  suback a;
  a.f.qos = 1;
  a.topic_id = 1026;
  a.msg_id = 3;
  round_trip(B({0x08, 0x13, 0x20, 0x04, 0x02, 0x00, 0x03, 0x00}), a);
}

TEST(RoundTrip, Unsubscribe) {
  subscribe u;
  u.type = msg_type::unsubscribe;
  u.msg_id = 6;
  u.topic_name = "a/#";
  round_trip(cat(B({0x08, 0x14, 0x00, 0x00, 0x06}), "a/#"), u);
  round_trip(B({0x04, 0x15, 0x00, 0x06}), msg_id_only{msg_type::unsuback, 6});
}

TEST(RoundTrip, PingAndDisconnect) {
  round_trip(B({0x02, 0x16}), pingreq{});
  round_trip(cat(B({0x05, 0x16}), "cid"), pingreq{"cid"});  // wake-up of a sleeper
  round_trip(B({0x02, 0x17}), pingresp{});
  round_trip(B({0x02, 0x18}), disconnect{});
  round_trip(B({0x04, 0x18, 0x01, 0x2C}), disconnect{300});  // sleep 300 s
}

TEST(RoundTrip, ThreeOctetLengthFrom256Bytes) {
  publish p;
  p.topic_id = 1025;
  p.data = std::string(300, 'z');
  // 0x01, length 0x0135 = 309 (3 + type + flags + 2 + 2 + 300), then the message
  auto wire = cat(B({0x01, 0x01, 0x35, 0x0C, 0x00, 0x04, 0x01, 0x00, 0x00}), p.data);
  ASSERT_EQ(wire.size(), 0x135u);
  round_trip(wire, p);
  // 249 bytes of data make 256 with a 1-octet length: too big for it, 3-octet form
  publish q;
  q.data = std::string(249, 'y');  // 1 + 1 + 5 + 249 = 256
  std::string out;
  EXPECT_EQ(encode(q, out), 258u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x01);
  q.data.resize(248);  // 255 bytes: still one octet
  out.clear();
  EXPECT_EQ(encode(q, out), 255u);
  EXPECT_EQ(static_cast<uint8_t>(out[0]), 255);
}

TEST(RoundTrip, ThreeOctetFormAcceptedForShortMessages) {
  // Not what we send, but a valid encoding: 0x01 0x00 0x04 PINGRESP... is 4 bytes.
  packet got;
  auto r = decode(B({0x01, 0x00, 0x04, 0x17}), got);
  ASSERT_EQ(r.status, decode_status::ok);
  EXPECT_TRUE(std::holds_alternative<pingresp>(got));
}

TEST(RoundTrip, Encapsulated) {
  // Length 5 (up to the end of the 2-byte node id), 0xFE, Ctrl radius 1, node 0xAB 0xCD,
  // then a PINGREQ
  encapsulated e{0x01, "\xAB\xCD", std::string("\x02\x16", 2)};
  round_trip(B({0x05, 0xFE, 0x01, 0xAB, 0xCD, 0x02, 0x16}), e);
  packet inner;
  ASSERT_EQ(
      decode(std::span(reinterpret_cast<const uint8_t*>(e.inner.data()), e.inner.size()), inner)
          .status,
      decode_status::ok);
  EXPECT_TRUE(std::holds_alternative<pingreq>(inner));
}

TEST(Flags, EveryBit) {
  for (int b = 0; b < 256; ++b) {
    auto f = decode_flags(static_cast<uint8_t>(b));
    EXPECT_EQ(encode_flags(f), b) << b;
  }
  EXPECT_EQ(decode_flags(0x60).qos, -1);
  EXPECT_EQ(decode_flags(0x04).clean_session, true);
  EXPECT_EQ(decode_flags(0x08).will, true);
}

TEST(Encode, RefusesWhatCannotBeSent) {
  std::string out;
  publish big;
  big.data = std::string(65536, 'x');
  EXPECT_EQ(encode(big, out), 0u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(encode(msg_id_only{msg_type::publish, 1}, out), 0u);
  EXPECT_EQ(encode(encapsulated{0, std::string(253, 'n'), "\x02\x16"}, out), 0u);
  EXPECT_EQ(encode(encapsulated{0, "n", ""}, out), 0u);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace edgegw::mqttsn
