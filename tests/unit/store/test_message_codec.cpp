// The message codec against annotated bytes, round trips of every field, and rejection of
// every kind of damage: each truncation, each flipped byte, trailing bytes, and crafted
// records whose CRC is right but whose content is not.
#include <gtest/gtest.h>

#include <random>

#include "gateway/store/message_codec.hpp"
#include "store_test_util.hpp"

namespace edgegw::store {
namespace {

using test::full_message;
using test::small_message;

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int v : b) s.push_back(static_cast<char>(v));
  return s;
}

// Appends the CRC, so crafted bodies pass the integrity check and reach the parser.
std::string seal(std::string body) {
  const uint32_t crc = crc32(body);
  for (int i = 0; i < 4; ++i) body.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return body;
}

std::error_code decode_error(std::string_view b) {
  auto r = decode_message(b);
  return r ? std::error_code() : r.error();
}

TEST(Crc32, MatchesTheStandardCheckValue) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  EXPECT_EQ(crc32("56789", crc32("1234")), 0xCBF43926u);  // continues
}

TEST(Varint, RoundTripsEdgeValues) {
  for (uint64_t v :
       {0ull, 1ull, 127ull, 128ull, 16383ull, 16384ull, 0xFFFFFFFFull, 1ull << 63, ~0ull}) {
    std::string s;
    put_varint(s, v);
    std::size_t pos = 0;
    uint64_t out = 0;
    ASSERT_EQ(get_varint(s, pos, out), codec_errc::ok) << v;
    EXPECT_EQ(out, v);
    EXPECT_EQ(pos, s.size());
  }
  std::string max;
  put_varint(max, ~0ull);
  EXPECT_EQ(max.size(), 10u);
}

TEST(Varint, RejectsOverlongNonMinimalAndTruncated) {
  std::size_t pos = 0;
  uint64_t v = 0;
  EXPECT_EQ(get_varint(bytes({0x80}), pos, v), codec_errc::truncated);
  EXPECT_EQ(pos, 0u);
  EXPECT_EQ(get_varint(bytes({0x81, 0x00}), pos, v), codec_errc::bad_value);  // 1, padded
  EXPECT_EQ(get_varint(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}), pos, v),
            codec_errc::bad_value);  // 65 bits
  EXPECT_EQ(
      get_varint(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x00}), pos, v),
      codec_errc::bad_value);  // 11 bytes
  EXPECT_EQ(pos, 0u);
}

TEST(MessageCodec, EncodesMinimalMessageAsAnnotated) {
  message m;
  m.topic = "a/b";
  m.payload = "hi";
  m.qos = 1;
  const std::string expected = bytes({
      0x01,                    // version 1
      0x01,                    // flags: qos 1, no retain
      0x00,                    // presence: no optional field
      0x03, 'a', '/', 'b',     // topic
      0x02, 'h', 'i',          // payload
      0x09, 0xba, 0x03, 0xa1,  // CRC32 of the above, little-endian
  });
  EXPECT_EQ(encode_message(m), expected);
  auto back = decode_message(expected);
  ASSERT_TRUE(back) << back.error().message();
  test::expect_same(back.value(), m);
}

TEST(MessageCodec, EncodesEveryOptionalFieldAsAnnotated) {
  message m;
  m.topic = "t";
  m.payload = "p";
  m.qos = 2;
  m.retain = true;
  m.payload_format = 1;
  m.content_type = "ct";
  m.response_topic = "rt";
  m.correlation_data = std::string("\0\x07", 2);
  m.user_properties = {{"k", "v"}};
  m.expire_at_ms = 1'700'000'000'123;
  m.from_client = "c1";
  m.from_protocol = "mqtt";
  const std::string expected = bytes({
      0x01,                                // version
      0x06,                                // qos 2 | retain
      0xff, 0x01,                          // presence: all eight optional fields (varint)
      0x01, 't',                           // topic
      0x01, 'p',                           // payload
      0x01,                                // payload format
      0x02, 'c',  't',                     // content type
      0x02, 'r',  't',                     // response topic
      0x02, 0x00, 0x07,                    // correlation data
      0x01, 0x01, 'k',  0x01, 'v',         // 1 user property k=v
      0xf6, 0xa1, 0xab, 0xfe, 0xf9, 0x62,  // expire_at_ms, zigzag varint
      0x02, 'c',  '1',                     // from_client
      0x04, 'm',  'q',  't',  't',         // from_protocol
      0xd4, 0x13, 0xc7, 0x30,              // CRC32
  });
  EXPECT_EQ(encode_message(m), expected);
  auto back = decode_message(expected);
  ASSERT_TRUE(back) << back.error().message();
  test::expect_same(back.value(), m);
}

TEST(MessageCodec, RoundTripsEveryField) {
  const message m = full_message("a/very/long/topic/" + std::string(300, 'x'));
  auto back = decode_message(encode_message(m));
  ASSERT_TRUE(back) << back.error().message();
  test::expect_same(back.value(), m);
}

TEST(MessageCodec, RoundTripsDefaultsAndDistinguishesEmptyFromAbsent) {
  message empty;
  auto back = decode_message(encode_message(empty));
  ASSERT_TRUE(back);
  test::expect_same(back.value(), empty);

  message m;
  m.content_type = "";
  m.correlation_data = "";
  m.payload_format = 0;
  m.expire_at_ms = -5;  // before the epoch: odd, but representable
  back = decode_message(encode_message(m));
  ASSERT_TRUE(back);
  test::expect_same(back.value(), m);
  EXPECT_TRUE(back.value().content_type.has_value());
  EXPECT_FALSE(back.value().response_topic.has_value());
}

TEST(MessageCodec, RoundTripsRandomMessagesCanonically) {
  std::mt19937 rng(7);
  auto str = [&](std::size_t max) {
    std::string s(rng() % (max + 1), '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  for (int i = 0; i < 500; ++i) {
    message m;
    m.topic = str(40);
    m.payload = str(i % 50 == 0 ? 70000 : 200);
    m.qos = static_cast<uint8_t>(rng() % 3);
    m.retain = rng() % 2;
    if (rng() % 2) m.payload_format = static_cast<uint8_t>(rng());
    if (rng() % 2) m.content_type = str(10);
    if (rng() % 2) m.response_topic = str(10);
    if (rng() % 2) m.correlation_data = str(10);
    for (unsigned n = rng() % 4; n > 0; --n) m.user_properties.push_back({str(5), str(5)});
    if (rng() % 2) m.expire_at_ms = static_cast<int64_t>(static_cast<uint64_t>(rng()) << 20);
    m.from_client = str(8);
    m.from_protocol = str(6);
    const std::string enc = encode_message(m);
    auto back = decode_message(enc);
    ASSERT_TRUE(back) << i << ": " << back.error().message();
    test::expect_same(back.value(), m);
    EXPECT_EQ(encode_message(back.value()), enc);
  }
}

TEST(MessageCodec, RejectsEveryTruncation) {
  const std::string enc = encode_message(full_message("t/1"));
  for (std::size_t n = 0; n < enc.size(); ++n) {
    EXPECT_TRUE(decode_error(std::string_view(enc).substr(0, n))) << "length " << n;
  }
  EXPECT_EQ(decode_error(""), codec_errc::truncated);
  EXPECT_EQ(decode_error(enc.substr(0, 5)), codec_errc::truncated);
}

TEST(MessageCodec, RejectsEveryFlippedByte) {
  const std::string enc = encode_message(full_message("t/1"));
  for (std::size_t i = 0; i < enc.size(); ++i) {
    for (int mask : {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF}) {
      std::string bad = enc;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      EXPECT_TRUE(decode_error(bad)) << "byte " << i << " mask " << mask;
    }
  }
}

TEST(MessageCodec, RejectsTrailingBytes) {
  const std::string enc = encode_message(full_message("t/1"));
  EXPECT_TRUE(decode_error(enc + '\0'));
  EXPECT_TRUE(decode_error(enc + enc));
  // Extra bytes inside a correctly sealed record are named as such.
  std::string body = encode_message(small_message("t", "p"));
  body.resize(body.size() - 4);
  EXPECT_EQ(decode_error(seal(body + 'x')), codec_errc::trailing_bytes);
}

TEST(MessageCodec, RejectsUnknownVersionEvenWhenSealed) {
  std::string body = bytes({0x02, 0x00, 0x00, 0x00, 0x00});
  EXPECT_EQ(decode_error(seal(body)), codec_errc::bad_version);
  EXPECT_EQ(decode_error(bytes({0x00})), codec_errc::bad_version);
}

TEST(MessageCodec, RejectsBadCrc) {
  std::string enc = encode_message(small_message("t", "p"));
  enc.back() = static_cast<char>(enc.back() ^ 1);
  EXPECT_EQ(decode_error(enc), codec_errc::bad_crc);
}

TEST(MessageCodec, RejectsSealedButInvalidContent) {
  struct bad_case {
    const char* what;
    std::string body;
    codec_errc expected;
  };
  const bad_case cases[] = {
      {"reserved flag bit", bytes({1, 0x08, 0, 0, 0}), codec_errc::bad_value},
      {"qos 3", bytes({1, 0x03, 0, 0, 0}), codec_errc::bad_value},
      {"unknown presence bit", bytes({1, 0, 0x80, 0x02, 0, 0}), codec_errc::bad_value},
      {"non-minimal topic length", bytes({1, 0, 0, 0x81, 0x00, 'x', 0}), codec_errc::bad_value},
      {"topic longer than record", bytes({1, 0, 0, 0x09, 'a', 'b'}), codec_errc::bad_length},
      {"payload longer than record", bytes({1, 0, 0, 0, 0x05, 'a'}), codec_errc::bad_length},
      {"length varint runs off the end", bytes({1, 0, 0, 0, 0x80}), codec_errc::truncated},
      {"missing payload format", bytes({1, 0, 0x01, 0, 0}), codec_errc::truncated},
      {"user property bit with no properties", bytes({1, 0, 0x10, 0, 0, 0}), codec_errc::bad_value},
      {"user property count beyond record", bytes({1, 0, 0x10, 0, 0, 0x7F, 0, 0}),
       codec_errc::bad_length},
      {"huge user property count", bytes({1, 0, 0x10, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}),
       codec_errc::bad_length},
      {"user property value missing", bytes({1, 0, 0x10, 0, 0, 0x01, 0x01, 'k'}),
       codec_errc::truncated},
      {"expiry bit with zero expiry", bytes({1, 0, 0x20, 0, 0, 0}), codec_errc::bad_value},
      {"from_client bit with empty name", bytes({1, 0, 0x40, 0, 0, 0}), codec_errc::bad_value},
      {"from_protocol bit with empty name", bytes({1, 0, 0x80, 0x01, 0, 0, 0}),
       codec_errc::bad_value},
      {"too short to hold the fields", bytes({1, 0, 0, 0}), codec_errc::truncated},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(decode_error(seal(c.body)), c.expected) << c.what;
  }
}

TEST(MessageCodec, ErrorsHaveReadableMessages) {
  EXPECT_EQ(std::error_code(codec_errc::bad_crc).message(), "stored message fails its CRC check");
  EXPECT_STREQ(codec_category().name(), "edgegw.message_codec");
}

}  // namespace
}  // namespace edgegw::store
