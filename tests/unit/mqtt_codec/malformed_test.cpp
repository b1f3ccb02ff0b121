// Packets that must be refused, one test per rule, named after the spec statement (v5
// numbering unless the rule is v3-only). Malformed = 0x81 class, protocol error = 0x82.
#include "codec_test_util.hpp"
#include "protocols/mqtt/codec/detail/utf8.hpp"

namespace edgegw::mqtt::test {
namespace {

constexpr auto v311 = version::v311;
constexpr auto v5 = version::v5;
constexpr auto malformed = decode_status::malformed;
constexpr auto protocol = decode_status::protocol_error;

// Fixed header (one-byte Remaining Length) around a body.
bytes pkt(uint8_t first, const bytes& body) {
  bytes b{first, static_cast<uint8_t>(body.size())};
  return cat(b, body);
}

// v5 CONNECT with the given property block and client id "c".
bytes connect5(const bytes& props, uint8_t flags = 0x02, const bytes& tail = {}) {
  bytes body{0, 4, 'M', 'Q', 'T', 'T', 5, flags, 0, 0, static_cast<uint8_t>(props.size())};
  body = cat(cat(body, props), {0, 1, 'c'});
  return pkt(0x10, cat(body, tail));
}

// v3.1.1 CONNECT with the given flags, client id "c" and payload tail.
bytes connect311(uint8_t flags, const bytes& tail = {}) {
  return pkt(0x10, cat({0, 4, 'M', 'Q', 'T', 'T', 4, flags, 0, 0, 0, 1, 'c'}, tail));
}

// v5 CONNACK with the given property block.
bytes connack5(const bytes& props) {
  return pkt(0x20, cat({0x00, 0x00, static_cast<uint8_t>(props.size())}, props));
}

// v5 PUBLISH QoS 0 topic "t" with the given property block.
bytes publish5(const bytes& props) {
  return pkt(0x30, cat(cat({0, 1, 't', static_cast<uint8_t>(props.size())}, props), {'x'}));
}

// PUBLISH QoS 0 with raw topic bytes.
bytes publish_topic(const bytes& topic, version ver) {
  bytes body{0, static_cast<uint8_t>(topic.size())};
  body = cat(body, topic);
  if (ver == v5) body.push_back(0);
  return pkt(0x30, body);
}

// ---- Fixed header ----------------------------------------------------------------------

TEST(FixedHeader, ReservedPacketType0) {
  expect_error({0x00, 0x00}, v311, malformed);
  expect_error({0x00}, v5, malformed);
}

TEST(FixedHeader, AuthIsMalformedBeforeV5) {
  expect_error({0xF0, 0x00}, v311, malformed);
  expect_error({0xF0, 0x00}, version::v31, malformed);
}

TEST(FixedHeader, MQTT_3_3_1_4_PublishQos3FromFirstByte) {
  expect_error({0x36}, v311, malformed, "[MQTT-3.3.1-4]");
  expect_error({0x36, 0x03, 0x00, 0x01, 't'}, v5, malformed, "[MQTT-3.3.1-4]");
  expect_error({0x37}, version::v31, malformed, "[MQTT-3.3.1-4]");
}

TEST(FixedHeader, MQTT_3_3_1_2_DupWithQos0) {
  expect_error({0x38}, v311, malformed, "[MQTT-3.3.1-2]");
  expect_error({0x38, 0x03, 0x00, 0x01, 't'}, v5, malformed, "[MQTT-3.3.1-2]");
}

TEST(FixedHeader, MQTT_2_1_3_1_ReservedFlags) {
  for (auto ver : {v311, v5}) {
    for (uint8_t first : {0x11, 0x18, 0x21, 0x41, 0x48, 0x51, 0x60, 0x63, 0x6A, 0x71,
                          0x80, 0x83, 0x8A, 0x91, 0xA0, 0xA3, 0xB1, 0xC1, 0xD4, 0xE1}) {
      SCOPED_TRACE(static_cast<int>(first));
      expect_error({first}, ver, malformed, "[MQTT-2.1.3-1]");
    }
  }
  expect_error({0xF1}, v5, malformed, "[MQTT-2.1.3-1]");
  expect_error({0x12}, version::v31, malformed, "[MQTT-2.1.3-1]");  // CONNECT is checked
}

TEST(FixedHeader, RemainingLengthOfMoreThanFourBytes) {
  expect_error({0x30, 0xFF, 0xFF, 0xFF, 0xFF}, v311, malformed);
  expect_error({0x30, 0x80, 0x80, 0x80, 0x80, 0x00}, v5, malformed);
}

TEST(FixedHeader, NonMinimalRemainingLengthIsAccepted) {
  packet got;
  auto r = decode_copy({0xC0, 0x80, 0x00}, v311, 0, got);  // PINGREQ, length 0 in 2 bytes
  EXPECT_EQ(r.status, decode_status::ok);
  EXPECT_EQ(r.consumed, 3u);
  EXPECT_TRUE(std::holds_alternative<pingreq>(got));
}

// ---- UTF-8 [MQTT-1.5.4-1], [MQTT-1.5.4-2] --------------------------------------------------

TEST(Utf8, MQTT_1_5_4_1_IllFormedTopicName) {
  const bytes bad[] = {
      {0xC0, 0x80},                                         // overlong U+0000
      {0xC1, 0xBF},                                         // overlong 2-byte form
      {0xE0, 0x80, 0x80},                                   // overlong 3-byte form
      {0xF0, 0x80, 0x80, 0x80},                             // overlong 4-byte form
      {0xED, 0xA0, 0x80},                                   // UTF-16 surrogate U+D800
      {0xED, 0xBF, 0xBF},                                   // UTF-16 surrogate U+DFFF
      {0xF4, 0x90, 0x80, 0x80},                             // above U+10FFFF
      {0xF5, 0x80, 0x80, 0x80},                             // lead byte beyond F4
      {0xFF},                                               // never in UTF-8
      {0x80},                                               // stray continuation byte
      {'a', 0xE2, 0x82},                                    // truncated sequence
      {0xE2, 0x28, 0xA1},                                   // bad continuation byte
      {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 0xC3},  // truncated after the ASCII fast path
  };
  for (const auto& topic : bad) {
    SCOPED_TRACE(hex(topic));
    EXPECT_FALSE(detail::valid_utf8({reinterpret_cast<const char*>(topic.data()), topic.size()}));
    expect_error(publish_topic(topic, v311), v311, malformed, "[MQTT-1.5.4-1]");
    expect_error(publish_topic(topic, v5), v5, malformed, "[MQTT-1.5.4-1]");
  }
}

TEST(Utf8, MQTT_1_5_4_2_NullCharacter) {
  expect_error(publish_topic({'a', 0x00, 'b'}, v311), v311, malformed, "U+0000");
  // Past the eight-byte ASCII fast path, and inside it.
  expect_error(publish_topic({'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 0x00}, v5), v5,
               malformed, "U+0000");
  expect_error(publish_topic({'a', 'b', 'c', 0x00, 'e', 'f', 'g', 'h', 'i', 'j'}, v5), v5,
               malformed, "U+0000");
}

TEST(Utf8, WellFormedBoundaries) {
  for (std::string_view s : {"\xED\x9F\xBF",      // U+D7FF, last before surrogates
                             "\xEE\x80\x80",      // U+E000, first after surrogates
                             "\xEF\xBF\xBF",      // U+FFFF (non-character, allowed)
                             "\xF4\x8F\xBF\xBF",  // U+10FFFF
                             "\xC2\x80",          // U+0080
                             "\x01\x7F",          // control characters are allowed
                             "abcdefghijklmnop\xC3\xA9"}) {
    EXPECT_TRUE(detail::valid_utf8(s)) << hex(s);
  }
}

TEST(Utf8, OtherStringFields) {
  // Client identifier, will topic, user name.
  expect_error(pkt(0x10, {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0, 0, 1, 0xFF}), v311, malformed,
               "[MQTT-1.5.4-1]");
  expect_error(connect311(0x06, {0, 1, 0xC0, 0, 0}), v311, malformed, "[MQTT-1.5.4-1]");
  expect_error(connect311(0x82, {0, 2, 'a', 0x00}), v311, malformed, "[MQTT-1.5.4-1]");
  // Topic filters of SUBSCRIBE and UNSUBSCRIBE.
  expect_error(pkt(0x82, {0, 1, 0, 1, 0xFE, 0x00}), v311, malformed, "[MQTT-1.5.4-1]");
  expect_error(pkt(0xA2, {0, 1, 0, 2, 'a', 0x00}), v311, malformed, "[MQTT-1.5.4-1]");
  // Property strings: user property, reason string, content type.
  expect_error(publish5({0x26, 0, 1, 0xFF, 0, 1, 'v'}), v5, malformed, "[MQTT-1.5.4-1]");
  expect_error(publish5({0x26, 0, 1, 'k', 0, 1, 0x00}), v5, malformed, "[MQTT-1.5.4-1]");
  expect_error(publish5({0x03, 0, 2, 0xED, 0xA0}), v5, malformed);
  expect_error(connack5({0x1F, 0, 1, 0x80}), v5, malformed, "[MQTT-1.5.4-1]");
}

// ---- CONNECT -------------------------------------------------------------------------------

TEST(Connect, MQTT_3_1_2_1_UnknownProtocolName) {
  expect_error(pkt(0x10, {0, 4, 'M', 'Q', 'T', 'X', 4, 0x02, 0, 0, 0, 1, 'c'}), v311, protocol,
               "[MQTT-3.1.2-1]");
  expect_error(pkt(0x10, {0, 0, 4, 0x02, 0, 0, 0, 1, 'c'}), v311, protocol, "[MQTT-3.1.2-1]");
}

TEST(Connect, MQTT_3_1_2_2_UnsupportedProtocolLevel) {
  const auto unsupported = decode_status::unsupported_version;
  // Decided from the name and level alone, whatever follows.
  expect_error(pkt(0x10, {0, 4, 'M', 'Q', 'T', 'T', 6}), v311, unsupported, "[MQTT-3.1.2-2]");
  expect_error(pkt(0x10, {0, 4, 'M', 'Q', 'T', 'T', 3, 0x02, 0, 0, 0, 1, 'c'}), v5, unsupported);
  expect_error(pkt(0x10, {0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 4, 0x02, 0, 0, 0, 1, 'c'}), v311,
               unsupported);
  expect_error(pkt(0x10, {0, 4, 'M', 'Q', 'T', 'T', 0x84, 0x02, 0, 0, 0, 1, 'c'}), v311,
               unsupported);  // mosquitto's bridge bit is not spoken
}

TEST(Connect, MQTT_3_1_2_3_ReservedFlag) {
  expect_error(connect311(0x03), v311, malformed, "[MQTT-3.1.2-3]");
  expect_error(connect5({}, 0x01), v5, malformed, "[MQTT-3.1.2-3]");
}

TEST(Connect, MQTT_3_1_2_11_WillQosWithoutWillFlag) {
  expect_error(connect311(0x0A), v311, malformed, "[MQTT-3.1.2-11]");
  expect_error(connect5({}, 0x12), v5, malformed, "[MQTT-3.1.2-11]");
}

TEST(Connect, MQTT_3_1_2_12_WillQos3) {
  expect_error(connect311(0x1E, {0, 1, 'w', 0, 0}), v311, malformed, "[MQTT-3.1.2-12]");
}

TEST(Connect, MQTT_3_1_2_13_WillRetainWithoutWillFlag) {
  expect_error(connect311(0x22), v311, malformed, "[MQTT-3.1.2-13]");
  expect_error(connect5({}, 0x22), v5, malformed, "[MQTT-3.1.2-13]");
}

TEST(Connect, MQTT_3_1_2_22_PasswordWithoutUserNameBeforeV5) {
  expect_error(connect311(0x42, {0, 2, 'p', 'w'}), v311, protocol, "[MQTT-3.1.2-22]");
  expect_error(pkt(0x10, {0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3, 0x42, 0, 0, 0, 1, 'c', 0, 1, 'p'}),
               version::v31, protocol, "[MQTT-3.1.2-22]");
}

TEST(Connect, MissingAndTrailingFields) {
  expect_error(connect311(0x82), v311, malformed);               // user name flag, no name
  expect_error(connect311(0x06, {0, 1, 'w'}), v311, malformed);  // will without payload
  expect_error(connect311(0x02, {0xAA}), v311, malformed);       // a byte after the payload
  expect_error(pkt(0x10, {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0}), v311, malformed);  // keep alive
  expect_error(connect5({0x11, 0, 0}), v5, malformed);  // property value past its block
}

TEST(Connect, PropertiesOnTheWrongPacket) {
  expect_error(connect5({0x23, 0, 1}), v5, malformed, "not allowed");        // Topic Alias
  expect_error(connect5({0x18, 0, 0, 0, 1}), v5, malformed, "not allowed");  // Will Delay
  expect_error(connect5({0x12, 0, 1, 'a'}), v5, malformed, "not allowed");   // Assigned id
  // Session Expiry Interval in the will properties.
  expect_error(connect5({}, 0x06, {0x05, 0x11, 0, 0, 0, 1, 0, 1, 'w', 0, 0}), v5, malformed,
               "not allowed");
}

TEST(Connect, ValueRules) {
  expect_error(connect5({0x17, 0x02}), v5, protocol);        // Request Problem Information 2
  expect_error(connect5({0x19, 0x02}), v5, protocol);        // Request Response Information 2
  expect_error(connect5({0x21, 0, 0}), v5, protocol);        // Receive Maximum 0
  expect_error(connect5({0x27, 0, 0, 0, 0}), v5, protocol);  // Maximum Packet Size 0
  expect_error(connect5({0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2}), v5, protocol, "twice");
  expect_error(connect5({0x16, 0, 1, 'd'}), v5, protocol, "Authentication Method");
}

// ---- CONNACK -------------------------------------------------------------------------------

TEST(Connack, ReservedFlagsAndCodes) {
  expect_error({0x20, 0x02, 0x02, 0x00}, v311, malformed);        // reserved flag bit 1
  expect_error({0x20, 0x02, 0x00, 0x06}, v311, malformed);        // return code 6 is reserved
  expect_error({0x20, 0x03, 0x00, 0x00, 0x00}, v311, malformed);  // v3 has no properties
  expect_error({0x20, 0x01, 0x00}, v311, malformed);              // truncated
  expect_error({0x20, 0x03, 0x00, 0x01, 0x00}, v5, malformed);    // 0x01 is not a CONNACK code
  expect_error({0x20, 0x02, 0x00, 0x00}, v5, malformed);          // v5 needs a Property Length
}

TEST(Connack, MQTT_3_2_2_6_SessionPresentOnRefusal) {
  expect_error({0x20, 0x02, 0x01, 0x05}, v311, protocol, "[MQTT-3.2.2-6]");
  expect_error({0x20, 0x03, 0x01, 0x87, 0x00}, v5, protocol, "[MQTT-3.2.2-6]");
}

TEST(Connack, ZeroOrOneBytes) {
  for (uint8_t id : {0x24, 0x25, 0x28, 0x29, 0x2A}) {
    SCOPED_TRACE(static_cast<int>(id));
    expect_error(connack5({id, 0x02}), v5, protocol, "0 or 1");
    expect_error(connack5({id, 0x01, id, 0x01}), v5, protocol, "twice");
  }
}

// ---- PUBLISH -------------------------------------------------------------------------------

TEST(Publish, MQTT_2_2_1_3_ZeroPacketIdWithQos) {
  expect_error({0x32, 0x05, 0, 1, 't', 0, 0}, v311, malformed, "[MQTT-2.2.1-3]");
  expect_error({0x34, 0x06, 0, 1, 't', 0, 0, 0}, v5, malformed, "[MQTT-2.2.1-3]");
}

TEST(Publish, MQTT_4_7_3_1_EmptyTopicBeforeV5) {
  expect_error({0x30, 0x02, 0, 0}, v311, malformed, "[MQTT-4.7.3-1]");
}

TEST(Publish, V5EmptyTopicNeedsATopicAlias) {
  expect_error({0x30, 0x03, 0, 0, 0}, v5, protocol, "Topic Alias");
}

TEST(Publish, TruncatedFields) {
  expect_error({0x30, 0x03, 0, 5, 'a'}, v311, malformed);            // topic past the packet
  expect_error({0x32, 0x04, 0, 1, 't', 0}, v311, malformed);         // half a packet id
  expect_error({0x30, 0x03, 0, 1, 't'}, v5, malformed);              // no Property Length
  expect_error({0x30, 0x05, 0, 1, 't', 0x05, 0x01}, v5, malformed);  // block past the packet
  expect_error({0x30, 0x07, 0, 1, 't', 0xFF, 0xFF, 0xFF, 0xFF}, v5, malformed);  // 5-byte length
  expect_error(publish5({0x02, 0x00}), v5, malformed);                           // 4-byte value cut
  expect_error(publish5({0x0B, 0x80}), v5, malformed);                           // varint value cut
}

TEST(Publish, PropertyRules) {
  expect_error(publish5({0x05, 0x00}), v5, malformed, "unknown");            // no property 0x05
  expect_error(publish5({0x2B, 0x00}), v5, malformed, "unknown");            // beyond the last one
  expect_error(publish5({0x11, 0, 0, 0, 1}), v5, malformed, "not allowed");  // Session Expiry
  expect_error(publish5({0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2}), v5, protocol, "twice");
  expect_error(publish5({0x23, 0, 0}), v5, protocol);            // Topic Alias 0
  expect_error(publish5({0x0B, 0x00}), v5, protocol);            // Subscription Id 0
  expect_error(publish5({0x01, 0x02}), v5, protocol, "0 or 1");  // Payload Format 2
  expect_error(publish5({0x03, 0, 1, 'a', 0x03, 0, 1, 'b'}), v5, protocol, "twice");
  expect_error(publish5({0x09, 0, 1, 'a', 0x09, 0, 1, 'b'}), v5, protocol, "twice");
}

// ---- PUBACK / PUBREC / PUBREL / PUBCOMP -----------------------------------------------------

TEST(PubResponse, ZeroPacketId) {
  expect_error({0x40, 0x02, 0, 0}, v311, malformed, "[MQTT-2.2.1-3]");
  expect_error({0x62, 0x02, 0, 0}, v5, malformed, "[MQTT-2.2.1-3]");
}

TEST(PubResponse, V3LengthIsTwo) {
  expect_error({0x40, 0x03, 0, 1, 0}, v311, malformed);
  expect_error({0x70, 0x01, 0}, v311, malformed);
}

TEST(PubResponse, V5ReasonCodeMustBelongToThePacket) {
  expect_error({0x40, 0x03, 0, 1, 0x92}, v5, malformed);  // PUBACK: not found is PUBREL's
  expect_error({0x62, 0x03, 0, 1, 0x10}, v5, malformed);  // PUBREL: no matching subscribers
  expect_error({0x70, 0x03, 0, 1, 0x80}, v5, malformed);  // PUBCOMP: unspecified error
}

TEST(PubResponse, V5PropertiesAndTrailingBytes) {
  expect_error({0x40, 0x07, 0, 1, 0, 0x03, 0x23, 0, 1}, v5, malformed, "not allowed");
  expect_error({0x40, 0x05, 0, 1, 0, 0, 0xAA}, v5, malformed);
  expect_error({0x50, 0x04, 0, 1, 0, 0x03}, v5, malformed);  // block past the packet
  expect_error({0x40, 0x0A, 0, 1, 0, 0x06, 0x1F, 0, 0, 0x1F, 0, 0}, v5, protocol, "twice");
}

// ---- SUBSCRIBE / SUBACK --------------------------------------------------------------------

TEST(Subscribe, MQTT_3_8_3_2_NoTopicFilter) {
  expect_error({0x82, 0x02, 0, 1}, v311, protocol, "[MQTT-3.8.3-2]");
  expect_error({0x82, 0x03, 0, 1, 0}, v5, protocol, "[MQTT-3.8.3-2]");
}

TEST(Subscribe, ZeroPacketId) {
  expect_error({0x82, 0x06, 0, 0, 0, 1, 'a', 0}, v311, malformed, "[MQTT-2.2.1-3]");
}

TEST(Subscribe, V311ReservedBitsOfRequestedQos) {
  expect_error({0x82, 0x06, 0, 1, 0, 1, 'a', 0x04}, v311, malformed, "[MQTT-3-8.3-4]");
  expect_error({0x82, 0x06, 0, 1, 0, 1, 'a', 0x80}, v311, malformed, "[MQTT-3-8.3-4]");
  expect_error({0x82, 0x06, 0, 1, 0, 1, 'a', 0x03}, v311, malformed, "[MQTT-3-8.3-4]");
}

TEST(Subscribe, MQTT_3_8_3_5_ReservedBitsOfSubscriptionOptions) {
  expect_error({0x82, 0x07, 0, 1, 0, 0, 1, 'a', 0x40}, v5, malformed, "[MQTT-3.8.3-5]");
  expect_error({0x82, 0x07, 0, 1, 0, 0, 1, 'a', 0x80}, v5, malformed, "[MQTT-3.8.3-5]");
}

TEST(Subscribe, V5QosAndRetainHandling3) {
  expect_error({0x82, 0x07, 0, 1, 0, 0, 1, 'a', 0x03}, v5, protocol, "Maximum QoS 3");
  expect_error({0x82, 0x07, 0, 1, 0, 0, 1, 'a', 0x30}, v5, protocol, "Retain Handling 3");
}

TEST(Subscribe, MQTT_3_8_3_4_NoLocalOnSharedSubscription) {
  expect_error(pkt(0x82, {0, 1, 0, 0, 8, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', 0x04}), v5,
               protocol, "[MQTT-3.8.3-4]");
  packet got;  // No Local on a plain filter is fine
  EXPECT_EQ(decode_copy(pkt(0x82, {0, 1, 0, 0, 1, 'a', 0x04}), v5, 0, got).status,
            decode_status::ok);
}

TEST(Subscribe, TruncatedEntryAndIdentifierRules) {
  expect_error({0x82, 0x05, 0, 1, 0, 1, 'a'}, v311, malformed);  // options byte missing
  expect_error(pkt(0x82, {0, 1, 4, 0x0B, 1, 0x0B, 2, 0, 1, 'a', 0}), v5, protocol, "twice");
  expect_error(pkt(0x82, {0, 1, 2, 0x0B, 0, 0, 1, 'a', 0}), v5, protocol);  // identifier 0
  expect_error(pkt(0x82, {0, 1, 3, 0x23, 0, 1, 0, 1, 'a', 0}), v5, malformed, "not allowed");
}

TEST(Suback, ReturnCodes) {
  expect_error({0x90, 0x02, 0, 1}, v311, protocol);  // no return code
  expect_error({0x90, 0x03, 0, 1, 0x03}, v311, malformed, "[MQTT-3.9.3-2]");
  expect_error({0x90, 0x04, 0, 1, 0, 0x11}, v5, malformed);  // 0x11 is UNSUBACK's
  expect_error({0x90, 0x03, 0, 0, 0}, v311, malformed, "[MQTT-2.2.1-3]");
}

// ---- UNSUBSCRIBE / UNSUBACK ----------------------------------------------------------------

TEST(Unsubscribe, MQTT_3_10_3_2_NoTopicFilter) {
  expect_error({0xA2, 0x02, 0, 1}, v311, protocol, "[MQTT-3.10.3-2]");
  expect_error({0xA2, 0x03, 0, 1, 0}, v5, protocol, "[MQTT-3.10.3-2]");
}

TEST(Unsubscribe, ZeroPacketIdAndTruncatedFilter) {
  expect_error({0xA2, 0x05, 0, 0, 0, 1, 'a'}, v311, malformed, "[MQTT-2.2.1-3]");
  expect_error({0xA2, 0x05, 0, 1, 0, 2, 'a'}, v311, malformed);
}

TEST(Unsuback, Rules) {
  expect_error({0xB0, 0x03, 0, 1, 0}, v311, malformed);      // v3 has nothing after the id
  expect_error({0xB0, 0x03, 0, 1, 0}, v5, protocol);         // v5 needs a reason code
  expect_error({0xB0, 0x04, 0, 1, 0, 0x01}, v5, malformed);  // 0x01 is not an UNSUBACK code
}

// ---- PINGREQ / PINGRESP / DISCONNECT / AUTH -------------------------------------------------

TEST(Ping, NoBody) {
  expect_error({0xC0, 0x01, 0x00}, v311, malformed);
  expect_error({0xD0, 0x01, 0x00}, v5, malformed);
}

TEST(Disconnect, Rules) {
  expect_error({0xE0, 0x01, 0x00}, v311, malformed);      // v3 has no body
  expect_error({0xE0, 0x01, 0x01}, v5, malformed);        // 0x01 is not a reason here
  expect_error({0xE0, 0x02, 0x00, 0x05}, v5, malformed);  // block past the packet
  expect_error({0xE0, 0x05, 0x00, 0x03, 0x23, 0, 1}, v5, malformed, "not allowed");
  expect_error({0xE0, 0x03, 0x00, 0x00, 0xAA}, v5, malformed);  // trailing byte
}

TEST(Auth, Rules) {
  expect_error({0xF0, 0x01, 0x80}, v5, malformed);  // AUTH allows 0x00, 0x18, 0x19 only
  expect_error({0xF0, 0x06, 0x18, 0x04, 0x16, 0, 1, 'd'}, v5, protocol, "Authentication Method");
  expect_error({0xF0, 0x06, 0x18, 0x04, 0x11, 0, 0, 0}, v5, malformed);  // not allowed + cut
}

}  // namespace
}  // namespace edgegw::mqtt::test
