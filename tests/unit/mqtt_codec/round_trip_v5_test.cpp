// MQTT 5: every packet type and every property against hand-annotated wire bytes, both
// ways, including the short forms of acknowledgements, DISCONNECT and AUTH.
#include "codec_test_util.hpp"

namespace edgegw::mqtt::test {
namespace {

constexpr auto v5 = version::v5;

TEST(V5, ConnectMinimal) {
  connect c;
  c.ver = v5;
  c.keep_alive = 10;
  expect_wire(c, v5,
              {
                  0x10, 0x0D,                      // CONNECT, remaining length 13
                  0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                  0x05,                            // protocol level 5
                  0x02,                            // flags: clean start
                  0x00, 0x0A,                      // keep alive 10
                  0x00,                            // property length 0
                  0x00, 0x00,                      // client id "" (server assigns one)
              });
}

TEST(V5, ConnectEveryConnectAndWillProperty) {
  connect c;
  c.ver = v5;
  c.keep_alive = 30;
  c.client_id = "cli";
  c.props.session_expiry_interval = 3600;
  c.props.authentication_method = "SCRAM";
  c.props.authentication_data = std::string("\x01\x02", 2);
  c.props.request_problem_information = 0;
  c.props.request_response_information = 1;
  c.props.receive_maximum = 20;
  c.props.topic_alias_maximum = 10;
  c.props.user_properties = {{"k", "v"}};
  c.props.maximum_packet_size = 1024;
  will w;
  w.topic = "w";
  w.payload = "bye";
  w.qos = 2;
  w.props.payload_format_indicator = 1;
  w.props.message_expiry_interval = 60;
  w.props.content_type = "text";
  w.props.response_topic = "r";
  w.props.correlation_data = "\xAB";
  w.props.will_delay_interval = 5;
  w.props.user_properties = {{"a", "b"}};
  c.will_msg = w;
  c.username = "user";
  c.password = std::string("\x00\x01", 2);
  expect_wire(c, v5,
              {
                  0x10, 0x6D,                         // CONNECT, remaining length 109
                  0x00, 0x04, 'M',  'Q',  'T',  'T',  // protocol name
                  0x05,                               // protocol level 5
                  0xD6,                               // user, password, will QoS 2, will, clean
                  0x00, 0x1E,                         // keep alive 30
                  0x28,                               // property length 40
                  0x11, 0x00, 0x00, 0x0E, 0x10,       //   session expiry interval 3600
                  0x15, 0x00, 0x05, 'S',  'C',  'R',  'A', 'M',  //   authentication method
                  0x16, 0x00, 0x02, 0x01, 0x02,                  //   authentication data
                  0x17, 0x00,                                    //   request problem information 0
                  0x19, 0x01,                                    //   request response information 1
                  0x21, 0x00, 0x14,                              //   receive maximum 20
                  0x22, 0x00, 0x0A,                              //   topic alias maximum 10
                  0x26, 0x00, 0x01, 'k',  0x00, 0x01, 'v',       //   user property k=v
                  0x27, 0x00, 0x00, 0x04, 0x00,                  //   maximum packet size 1024
                  0x00, 0x03, 'c',  'l',  'i',                   // client id
                  0x22,                                          // will property length 34
                  0x01, 0x01,                                    //   payload format indicator 1
                  0x02, 0x00, 0x00, 0x00, 0x3C,                  //   message expiry interval 60
                  0x03, 0x00, 0x04, 't',  'e',  'x',  't',       //   content type
                  0x08, 0x00, 0x01, 'r',                         //   response topic
                  0x09, 0x00, 0x01, 0xAB,                        //   correlation data
                  0x18, 0x00, 0x00, 0x00, 0x05,                  //   will delay interval 5
                  0x26, 0x00, 0x01, 'a',  0x00, 0x01, 'b',       //   user property a=b
                  0x00, 0x01, 'w',                               // will topic
                  0x00, 0x03, 'b',  'y',  'e',                   // will payload
                  0x00, 0x04, 'u',  's',  'e',  'r',             // user name
                  0x00, 0x02, 0x00, 0x01,                        // password
              });
}

TEST(V5, ConnectPasswordWithoutUserNameIsAllowed) {
  connect c;
  c.ver = v5;
  c.client_id = "c";
  c.password = "pw";
  expect_wire(c, v5,
              {
                  0x10, 0x12,                      // CONNECT, remaining length 18
                  0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                  0x05,                            // protocol level
                  0x42,                            // password, clean start
                  0x00, 0x00,                      // keep alive 0
                  0x00,                            // property length
                  0x00, 0x01, 'c',                 // client id
                  0x00, 0x02, 'p', 'w',            // password
              });
}

TEST(V5, ConnackEveryConnackProperty) {
  connack c;
  c.session_present = true;
  c.props.session_expiry_interval = 120;
  c.props.assigned_client_identifier = "id1";
  c.props.server_keep_alive = 60;
  c.props.authentication_method = "m";
  c.props.authentication_data = "\x09";
  c.props.response_information = "ri";
  c.props.server_reference = "srv";
  c.props.reason_string = "ok";
  c.props.receive_maximum = 100;
  c.props.topic_alias_maximum = 5;
  c.props.maximum_qos = 1;
  c.props.retain_available = 0;
  c.props.user_properties = {{"x", "y"}};
  c.props.maximum_packet_size = 65536;
  c.props.wildcard_subscription_available = 0;
  c.props.subscription_identifier_available = 1;
  c.props.shared_subscription_available = 0;
  expect_wire(c, v5,
              {
                  0x20, 0x45,                               // CONNACK, remaining length 69
                  0x01,                                     // session present
                  0x00,                                     // success
                  0x42,                                     // property length 66
                  0x11, 0x00, 0x00, 0x00, 0x78,             //   session expiry interval 120
                  0x12, 0x00, 0x03, 'i',  'd',  '1',        //   assigned client identifier
                  0x13, 0x00, 0x3C,                         //   server keep alive 60
                  0x15, 0x00, 0x01, 'm',                    //   authentication method
                  0x16, 0x00, 0x01, 0x09,                   //   authentication data
                  0x1A, 0x00, 0x02, 'r',  'i',              //   response information
                  0x1C, 0x00, 0x03, 's',  'r',  'v',        //   server reference
                  0x1F, 0x00, 0x02, 'o',  'k',              //   reason string
                  0x21, 0x00, 0x64,                         //   receive maximum 100
                  0x22, 0x00, 0x05,                         //   topic alias maximum 5
                  0x24, 0x01,                               //   maximum QoS 1
                  0x25, 0x00,                               //   retain available 0
                  0x26, 0x00, 0x01, 'x',  0x00, 0x01, 'y',  // user property x=y
                  0x27, 0x00, 0x01, 0x00, 0x00,             //   maximum packet size 65536
                  0x28, 0x00,                               //   wildcard subscription available 0
                  0x29, 0x01,                               //   subscription identifier available 1
                  0x2A, 0x00,                               //   shared subscription available 0
              });
}

TEST(V5, ConnackWithoutProperties) {
  expect_wire(connack{}, v5, {0x20, 0x03, 0x00, 0x00, 0x00});  // flags, success, no props
  expect_wire(connack{false, 0x87, {}}, v5,
              {0x20, 0x03, 0x00, 0x87, 0x00});  // flags, Not authorized, no props
}

TEST(V5, PublishEveryPublishProperty) {
  publish p;
  p.qos = 1;
  p.packet_id = 10;
  p.topic = "t/1";
  p.payload = "{}";
  p.props.payload_format_indicator = 1;
  p.props.message_expiry_interval = 3600;
  p.props.content_type = "json";
  p.props.response_topic = "re/sp";
  p.props.correlation_data = "\x01\x02\x03";
  p.props.subscription_identifiers = {1, 268'435'455};
  p.props.topic_alias = 5;
  p.props.user_properties = {{"k1", "v1"}, {"k0", "v0"}};  // order is kept
  expect_wire(p, v5,
              {
                  0x32, 0x42,                               // PUBLISH QoS 1, remaining length 66
                  0x00, 0x03, 't',  '/',  '1',              // topic name
                  0x00, 0x0A,                               // packet id 10
                  0x38,                                     // property length 56
                  0x01, 0x01,                               //   payload format indicator 1
                  0x02, 0x00, 0x00, 0x0E, 0x10,             //   message expiry interval 3600
                  0x03, 0x00, 0x04, 'j',  's',  'o',  'n',  //   content type
                  0x08, 0x00, 0x05, 'r',  'e',  '/',  's',  'p',  //   response topic
                  0x09, 0x00, 0x03, 0x01, 0x02, 0x03,             //   correlation data
                  0x0B, 0x01,                                     //   subscription identifier 1
                  0x0B, 0xFF, 0xFF, 0xFF, 0x7F,  //   subscription identifier 268435455
                  0x23, 0x00, 0x05,              //   topic alias 5
                  0x26, 0x00, 0x02, 'k',  '1',  0x00, 0x02, 'v', '1',  // user property k1=v1
                  0x26, 0x00, 0x02, 'k',  '0',  0x00, 0x02, 'v', '0',  // user property k0=v0
                  '{',  '}',                                           // payload
              });
}

TEST(V5, PublishWithoutProperties) {
  publish p;
  p.topic = "a/b";
  p.payload = "x";
  expect_wire(p, v5,
              {
                  0x30, 0x07,                 // PUBLISH QoS 0, remaining length 7
                  0x00, 0x03, 'a', '/', 'b',  // topic name
                  0x00,                       // property length 0
                  'x',                        // payload
              });
}

TEST(V5, PublishEmptyTopicWithTopicAlias) {
  publish p;
  p.props.topic_alias = 1;
  p.payload = "p";
  expect_wire(p, v5,
              {
                  0x30, 0x07,        // PUBLISH, remaining length 7
                  0x00, 0x00,        // topic name "" (alias in use)
                  0x03,              // property length 3
                  0x23, 0x00, 0x01,  //   topic alias 1
                  'p',               // payload
              });
}

TEST(V5, AcknowledgementShortForms) {
  // [3.4.2.1] reason 0 and no properties: remaining length 2.
  expect_wire(pub_response{packet_type::puback, 1, 0, {}}, v5, {0x40, 0x02, 0x00, 0x01});
  expect_wire(pub_response{packet_type::pubcomp, 4, 0, {}}, v5, {0x70, 0x02, 0x00, 0x04});
  // Reason code without properties: remaining length 3, no Property Length.
  expect_wire(pub_response{packet_type::puback, 1, 0x10, {}}, v5,
              {0x40, 0x03, 0x00, 0x01, 0x10});  // No matching subscribers
  expect_wire(pub_response{packet_type::pubrec, 2, 0x10, {}}, v5,
              {0x50, 0x03, 0x00, 0x02, 0x10});  // No matching subscribers
  expect_wire(pub_response{packet_type::pubrel, 3, 0x92, {}}, v5,
              {0x62, 0x03, 0x00, 0x03, 0x92});  // Packet Identifier not found
  // The long forms of the same meaning are accepted too.
  expect_decodes_to({0x40, 0x03, 0x00, 0x01, 0x00}, v5,
                    pub_response{packet_type::puback, 1, 0, {}});
  expect_decodes_to({0x40, 0x04, 0x00, 0x01, 0x00, 0x00}, v5,
                    pub_response{packet_type::puback, 1, 0, {}});
}

TEST(V5, AcknowledgementWithProperties) {
  pub_response a{packet_type::puback, 1, 0x80, {}};
  a.props.reason_string = "no";
  a.props.user_properties = {{"a", "b"}};
  expect_wire(a, v5,
              {
                  0x40, 0x10,                              // PUBACK, remaining length 16
                  0x00, 0x01,                              // packet id
                  0x80,                                    // Unspecified error
                  0x0C,                                    // property length 12
                  0x1F, 0x00, 0x02, 'n', 'o',              //   reason string
                  0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b',  // user property
              });
  pub_response rel{packet_type::pubrel, 3, 0, {}};
  rel.props.reason_string = "x";
  expect_wire(rel, v5,
              {
                  0x62, 0x08,             // PUBREL, remaining length 8
                  0x00, 0x03,             // packet id
                  0x00,                   // success (needed before properties)
                  0x04,                   // property length 4
                  0x1F, 0x00, 0x01, 'x',  //   reason string
              });
}

TEST(V5, EncoderLeavesOutPropertiesThePacketMayNotCarry) {
  pub_response a{packet_type::puback, 1, 0, {}};
  a.props.topic_alias = 3;              // PUBLISH only
  a.props.session_expiry_interval = 9;  // CONNECT/CONNACK/DISCONNECT only
  std::string out;
  EXPECT_EQ(encode(a, v5, out), 4u);
  EXPECT_EQ(hex(out), hex(bytes{0x40, 0x02, 0x00, 0x01}));
  EXPECT_EQ(encoded_size(a, v5), 4u);
}

TEST(V5, SubscribeWithOptionsAndIdentifier) {
  subscribe s;
  s.packet_id = 1;
  s.props.subscription_identifiers = {300};
  s.props.user_properties = {{"k", "v"}};
  s.entries = {{"a/#", 2, true, true, 2}, {"$share/g/x", 1, false, false, 1}};
  expect_wire(s, v5,
              {
                  0x82, 0x20,                              // SUBSCRIBE, remaining length 32
                  0x00, 0x01,                              // packet id
                  0x0A,                                    // property length 10
                  0x0B, 0xAC, 0x02,                        //   subscription identifier 300
                  0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',  // user property
                  0x00, 0x03, 'a',  '/', '#',              // filter
                  0x2E,  // QoS 2, no local, retain as published, RH 2
                  0x00, 0x0A, '$',  's', 'h',  'a',  'r', 'e', '/', 'g', '/', 'x',  // filter
                  0x11,                                                             // QoS 1, RH 1
              });
}

TEST(V5, SubackEveryReasonCode) {
  suback s{1, {}, {0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2}};
  s.props.reason_string = "r";
  expect_wire(s, v5,
              {
                  0x90, 0x13,                          // SUBACK, remaining length 19
                  0x00, 0x01,                          // packet id
                  0x04,                                // property length 4
                  0x1F, 0x00, 0x01, 'r',               //   reason string
                  0x00, 0x01, 0x02, 0x80, 0x83, 0x87,  // granted 0..2, errors
                  0x8F, 0x91, 0x97, 0x9E, 0xA1, 0xA2,  // more errors
              });
}

TEST(V5, Unsubscribe) {
  unsubscribe u{2, {}, {"a", "b/#"}};
  u.props.user_properties = {{"a", "b"}};
  expect_wire(u, v5,
              {
                  0xA2, 0x12,                              // UNSUBSCRIBE, remaining length 18
                  0x00, 0x02,                              // packet id
                  0x07,                                    // property length 7
                  0x26, 0x00, 0x01, 'a', 0x00, 0x01, 'b',  // user property
                  0x00, 0x01, 'a',                         // filter
                  0x00, 0x03, 'b',  '/', '#',              // filter
              });
}

TEST(V5, UnsubackEveryReasonCode) {
  expect_wire(unsuback{2, {}, {0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91}}, v5,
              {
                  0xB0, 0x0A,                                // UNSUBACK, remaining length 10
                  0x00, 0x02,                                // packet id
                  0x00,                                      // property length 0
                  0x00, 0x11, 0x80, 0x83, 0x87, 0x8F, 0x91,  // reason codes
              });
}

TEST(V5, Ping) {
  expect_wire(pingreq{}, v5, {0xC0, 0x00});
  expect_wire(pingresp{}, v5, {0xD0, 0x00});
}

TEST(V5, DisconnectForms) {
  expect_wire(disconnect{}, v5, {0xE0, 0x00});                // normal disconnection, short form
  expect_wire(disconnect{0x04, {}}, v5, {0xE0, 0x01, 0x04});  // with will, no properties
  expect_decodes_to({0xE0, 0x02, 0x00, 0x00}, v5, disconnect{});  // long form, same meaning
  disconnect d{0x9C, {}};
  d.props.session_expiry_interval = 0;
  d.props.server_reference = "other";
  d.props.reason_string = "bye";
  d.props.user_properties = {{"a", "b"}};
  expect_wire(d, v5,
              {
                  0xE0, 0x1C,                                    // DISCONNECT, remaining length 28
                  0x9C,                                          // Use another server
                  0x1A,                                          // property length 26
                  0x11, 0x00, 0x00, 0x00, 0x00,                  //   session expiry interval 0
                  0x1C, 0x00, 0x05, 'o',  't',  'h',  'e', 'r',  // server reference
                  0x1F, 0x00, 0x03, 'b',  'y',  'e',             //   reason string
                  0x26, 0x00, 0x01, 'a',  0x00, 0x01, 'b',       // user property
              });
}

TEST(V5, AuthForms) {
  expect_wire(auth{}, v5, {0xF0, 0x00});                // success, short form
  expect_wire(auth{0x19, {}}, v5, {0xF0, 0x01, 0x19});  // re-authenticate, no properties
  auth a{0x18, {}};
  a.props.authentication_method = "SCRAM";
  a.props.authentication_data = "\x01\x02\x03";
  a.props.reason_string = "c";
  a.props.user_properties = {{"a", "b"}};
  expect_wire(a, v5,
              {
                  0xF0, 0x1B,                                    // AUTH, remaining length 27
                  0x18,                                          // Continue authentication
                  0x19,                                          // property length 25
                  0x15, 0x00, 0x05, 'S',  'C',  'R',  'A', 'M',  // authentication method
                  0x16, 0x00, 0x03, 0x01, 0x02, 0x03,            //   authentication data
                  0x1F, 0x00, 0x01, 'c',                         //   reason string
                  0x26, 0x00, 0x01, 'a',  0x00, 0x01, 'b',       // user property
              });
}

TEST(V5, Utf8MultibyteAndBomAreKept) {
  // [MQTT-1.5.4-3] a leading U+FEFF is part of the string; 2-, 3- and 4-byte sequences.
  publish p;
  p.topic = "\xEF\xBB\xBF\xC3\xBC/\xE2\x82\xAC/\xF0\x9F\x98\x80";
  p.payload = std::string("\xFF\x00", 2);  // binary payload is not checked
  std::string wire;
  ASSERT_GT(encode(p, v5, wire), 0u);
  expect_decodes_to(bytes(wire.begin(), wire.end()), v5, p);
}

}  // namespace
}  // namespace edgegw::mqtt::test
