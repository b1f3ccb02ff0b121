// MQTT 3.1 and 3.1.1: every packet type against hand-annotated wire bytes, both ways, each
// also fed split at every offset (codec_test_util.hpp).
#include "codec_test_util.hpp"

namespace edgegw::mqtt::test {
namespace {

TEST(V311, ConnectMinimal) {
  connect c;
  c.ver = version::v311;
  c.clean_start = true;
  c.keep_alive = 60;
  c.client_id = "cid";
  expect_wire(c, version::v311,
              {
                  0x10,                            // CONNECT
                  0x0F,                            // remaining length 15
                  0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                  0x04,                            // protocol level 4
                  0x02,                            // flags: clean session
                  0x00, 0x3C,                      // keep alive 60
                  0x00, 0x03, 'c', 'i', 'd',       // client id
              });
}

TEST(V311, ConnectWithWillUserPassword) {
  connect c;
  c.ver = version::v311;
  c.clean_start = false;
  c.keep_alive = 0xFFFF;
  c.client_id = "c1";
  c.will_msg = will{"w/t", std::string("\x00\xFF", 2), 1, true, {}};
  c.username = "u";
  c.password = std::string("p\0w", 3);
  expect_wire(c, version::v311,
              {
                  0x10,                              // CONNECT
                  0x1F,                              // remaining length 31
                  0x00, 0x04, 'M',  'Q',  'T', 'T',  // protocol name
                  0x04,                              // protocol level 4
                  0xEC,                         // user, password, will retain, will QoS 1, will
                  0xFF, 0xFF,                   // keep alive 65535
                  0x00, 0x02, 'c',  '1',        // client id
                  0x00, 0x03, 'w',  '/',  't',  // will topic
                  0x00, 0x02, 0x00, 0xFF,       // will payload (binary)
                  0x00, 0x01, 'u',              // user name
                  0x00, 0x03, 'p',  0x00, 'w',  // password (binary)
              });
}

TEST(V31, ConnectUsesMQIsdp) {
  connect c;
  c.ver = version::v31;
  c.protocol_name = "MQIsdp";
  c.keep_alive = 10;
  c.client_id = "v31client";
  c.will_msg = will{"lw", "gone", 2, false, {}};
  c.username = "n";
  expect_wire(c, version::v31,
              {
                  0x10,                                      // CONNECT
                  0x24,                                      // remaining length 36
                  0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',  // protocol name
                  0x03,                                      // protocol level 3
                  0x96,                                      // user, will QoS 2, will, clean
                  0x00, 0x0A,                                // keep alive 10
                  0x00, 0x09, 'v', '3', '1', 'c', 'l', 'i', 'e', 'n', 't',  // client id
                  0x00, 0x02, 'l', 'w',                                     // will topic
                  0x00, 0x04, 'g', 'o', 'n', 'e',                           // will payload
                  0x00, 0x01, 'n',                                          // user name
              });
}

TEST(V311, ConnectIsDecodedWithItsOwnLevel) {
  // A CONNECT names its version; the connection's version does not matter yet.
  connect c;
  c.ver = version::v311;
  c.client_id = "x";
  std::string wire;
  encode(c, version::v5, wire);
  packet got;
  auto r = decode(std::span(reinterpret_cast<const uint8_t*>(wire.data()), wire.size()),
                  version::v5, 0, got);
  ASSERT_EQ(r.status, decode_status::ok);
  EXPECT_EQ(std::get<connect>(got), c);
}

class V3All : public ::testing::TestWithParam<version> {};

TEST_P(V3All, ConnackSessionPresent) {
  expect_wire(connack{true, 0, {}}, GetParam(),
              {
                  0x20,  // CONNACK
                  0x02,  // remaining length
                  0x01,  // session present
                  0x00,  // accepted
              });
}

TEST_P(V3All, ConnackRefused) {
  expect_wire(connack{false, 5, {}}, GetParam(),
              {
                  0x20, 0x02,  // CONNACK, remaining length
                  0x00,        // no session
                  0x05,        // not authorized
              });
}

TEST_P(V3All, PublishQos0) {
  publish p;
  p.topic = "a/b";
  p.payload = "hello";
  expect_wire(p, GetParam(),
              {
                  0x30,                       // PUBLISH QoS 0
                  0x0A,                       // remaining length 10
                  0x00, 0x03, 'a', '/', 'b',  // topic name
                  'h', 'e', 'l', 'l', 'o',    // payload
              });
}

TEST_P(V3All, PublishQos1DupRetain) {
  publish p;
  p.dup = true;
  p.qos = 1;
  p.retain = true;
  p.topic = "t";
  p.packet_id = 0x1234;
  p.payload = "x";
  expect_wire(p, GetParam(),
              {
                  0x3B,             // PUBLISH DUP, QoS 1, RETAIN
                  0x06,             // remaining length
                  0x00, 0x01, 't',  // topic name
                  0x12, 0x34,       // packet id
                  'x',              // payload
              });
}

TEST_P(V3All, PublishQos2EmptyPayload) {
  publish p;
  p.qos = 2;
  p.topic = "t";
  p.packet_id = 1;
  expect_wire(p, GetParam(),
              {
                  0x34,             // PUBLISH QoS 2
                  0x05,             // remaining length
                  0x00, 0x01, 't',  // topic name
                  0x00, 0x01,       // packet id
              });
}

TEST_P(V3All, PublishTwoByteRemainingLength) {
  publish p;
  p.topic = "a/b";
  p.payload.assign(198, 'z');
  expect_wire(p, GetParam(),
              cat(
                  {
                      0x30,                       // PUBLISH
                      0xCB, 0x01,                 // remaining length 203 (0x4B + 1*128)
                      0x00, 0x03, 'a', '/', 'b',  // topic name
                  },
                  bytes(198, 'z')));  // payload
}

TEST_P(V3All, AcknowledgementsOfQos1And2) {
  expect_wire(pub_response{packet_type::puback, 7, 0, {}}, GetParam(),
              {0x40, 0x02, 0x00, 0x07});  // PUBACK, length 2, packet id 7
  expect_wire(pub_response{packet_type::pubrec, 0x0102, 0, {}}, GetParam(),
              {0x50, 0x02, 0x01, 0x02});  // PUBREC, length 2, packet id 258
  expect_wire(pub_response{packet_type::pubrel, 0xFFFF, 0, {}}, GetParam(),
              {0x62, 0x02, 0xFF, 0xFF});  // PUBREL (flags 0010), length 2, packet id 65535
  expect_wire(pub_response{packet_type::pubcomp, 9, 0, {}}, GetParam(),
              {0x70, 0x02, 0x00, 0x09});  // PUBCOMP, length 2, packet id 9
}

TEST_P(V3All, Subscribe) {
  subscribe s;
  s.packet_id = 2;
  s.entries = {{"a/+", 1, false, false, 0}, {"#", 2, false, false, 0}, {"b", 0, false, false, 0}};
  expect_wire(s, GetParam(),
              {
                  0x82,                             // SUBSCRIBE (flags 0010)
                  0x10,                             // remaining length 16
                  0x00, 0x02,                       // packet id
                  0x00, 0x03, 'a', '/', '+', 0x01,  // filter, QoS 1
                  0x00, 0x01, '#', 0x02,            // filter, QoS 2
                  0x00, 0x01, 'b', 0x00,            // filter, QoS 0
              });
}

TEST_P(V3All, Suback) {
  expect_wire(suback{2, {}, {0x02, 0x01, 0x80}}, GetParam(),
              {
                  0x90,              // SUBACK
                  0x05,              // remaining length
                  0x00, 0x02,        // packet id
                  0x02, 0x01, 0x80,  // granted QoS 2, QoS 1, failure
              });
}

TEST_P(V3All, Unsubscribe) {
  expect_wire(unsubscribe{3, {}, {"a/+", "b"}}, GetParam(),
              {
                  0xA2,                       // UNSUBSCRIBE (flags 0010)
                  0x0A,                       // remaining length 10
                  0x00, 0x03,                 // packet id
                  0x00, 0x03, 'a', '/', '+',  // filter
                  0x00, 0x01, 'b',            // filter
              });
}

TEST_P(V3All, Unsuback) {
  expect_wire(unsuback{3, {}, {}}, GetParam(), {0xB0, 0x02, 0x00, 0x03});  // id 3
}

TEST_P(V3All, PingAndDisconnect) {
  expect_wire(pingreq{}, GetParam(), {0xC0, 0x00});
  expect_wire(pingresp{}, GetParam(), {0xD0, 0x00});
  expect_wire(disconnect{}, GetParam(), {0xE0, 0x00});
}

TEST_P(V3All, V5OnlyFieldsAreNotEncoded) {
  // Properties and reason codes do not exist before v5: the encoder leaves them out.
  publish p;
  p.topic = "t";
  p.props.message_expiry_interval = 5;
  p.props.user_properties = {{"k", "v"}};
  std::string out;
  encode(p, GetParam(), out);
  EXPECT_EQ(hex(out), hex(bytes{0x30, 0x03, 0x00, 0x01, 't'}));
  out.clear();
  encode(disconnect{0x04, {}}, GetParam(), out);
  EXPECT_EQ(hex(out), hex(bytes{0xE0, 0x00}));
  out.clear();
  encode(pub_response{packet_type::puback, 1, 0x80, {}}, GetParam(), out);
  EXPECT_EQ(hex(out), hex(bytes{0x40, 0x02, 0x00, 0x01}));
  out.clear();
  encode(unsuback{1, {}, {0x00}}, GetParam(), out);
  EXPECT_EQ(hex(out), hex(bytes{0xB0, 0x02, 0x00, 0x01}));
}

TEST_P(V3All, AuthCannotBeEncoded) {
  std::string out = "keep";
  EXPECT_EQ(encode(auth{}, GetParam(), out), 0u);
  EXPECT_EQ(encoded_size(auth{}, GetParam()), 0u);
  EXPECT_EQ(out, "keep");
}

INSTANTIATE_TEST_SUITE_P(Versions, V3All, ::testing::Values(version::v31, version::v311),
                         version_name);

TEST(V31, LegacyFlagsOnAcksAndSubscribeAreAccepted) {
  // MQTT 3.1 clients set DUP/QoS bits on retried SUBSCRIBE and PUBREL; 3.1.1 forbids it.
  const bytes sub{0x8A, 0x06, 0x00, 0x01, 0x00, 0x01, 'a', 0x00};  // SUBSCRIBE with DUP
  packet got;
  EXPECT_EQ(decode_copy(sub, version::v31, 0, got).status, decode_status::ok);
  EXPECT_EQ(decode_copy(sub, version::v311, 0, got).status, decode_status::malformed);
  const bytes rel{0x60, 0x02, 0x00, 0x01};  // PUBREL without its QoS 1 flag
  EXPECT_EQ(decode_copy(rel, version::v31, 0, got).status, decode_status::ok);
  EXPECT_EQ(decode_copy(rel, version::v311, 0, got).status, decode_status::malformed);
}

TEST(ClientIdRefusal, V31NeedsOneTo23Bytes) {
  connect c;
  c.ver = version::v31;
  c.client_id = "";
  EXPECT_EQ(client_id_refusal(c), 0x02);
  c.client_id = std::string(23, 'a');
  EXPECT_EQ(client_id_refusal(c), 0);
  c.client_id = std::string(24, 'a');
  EXPECT_EQ(client_id_refusal(c), 0x02);
}

TEST(ClientIdRefusal, MQTT_3_1_3_8_EmptyIdNeedsCleanSession) {
  connect c;
  c.ver = version::v311;
  c.client_id = "";
  c.clean_start = false;
  EXPECT_EQ(client_id_refusal(c), 0x02);
  c.clean_start = true;
  EXPECT_EQ(client_id_refusal(c), 0);
  c.client_id = std::string(100, 'a');
  c.clean_start = false;
  EXPECT_EQ(client_id_refusal(c), 0);
}

TEST(ClientIdRefusal, V5AssignsInstead) {
  connect c;
  c.ver = version::v5;
  c.clean_start = false;
  EXPECT_EQ(client_id_refusal(c), 0);
}

}  // namespace
}  // namespace edgegw::mqtt::test
