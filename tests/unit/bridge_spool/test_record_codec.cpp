// The spool record codec: exact bytes of a small record, round trips of every field, and
// every kind of damage reported with its own error (never a crash, never a wrong record).
#include <gtest/gtest.h>

#include "spool_test_util.hpp"

namespace edgegw::bridge {
namespace {

using test::seal;
using test::varint;

record_errc error_of(std::string_view bytes) {
  auto r = decode_record(bytes);
  EXPECT_FALSE(r);
  return r ? record_errc::ok : static_cast<record_errc>(r.error().value());
}

data_record decode_data(std::string_view bytes) {
  auto r = decode_record(bytes);
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  if (!r) return {};
  EXPECT_EQ(r.value().size, bytes.size());
  return std::get<data_record>(r.value().rec);
}

TEST(SpoolRecordCodec, SmallDataRecordBytes) {
  message m;
  m.topic = "a/b";
  m.payload = "hi";
  m.qos = 1;
  m.retain = true;
  std::string out;
  const std::size_t n = encode_data(out, 300, 5, m);
  EXPECT_EQ(n, out.size());
  const std::string body = std::string("\x01", 1)  // kind data
                           + "\xAC\x02"            // seq 300
                           + "\x05"                // append_ms 5
                           + "\x05"                // qos 1, retain, no extras
                           +
                           "\x03"
                           "a/b"    // topic
                           + "hi";  // payload: the rest
  EXPECT_EQ(out, seal(body));
  EXPECT_EQ(out.size(), 4 + 1 + body.size());
  EXPECT_EQ(data_record_size(300, 5, m), out.size());
  const auto d = decode_data(out);
  EXPECT_EQ(d.seq, 300u);
  EXPECT_EQ(d.append_ms, 5);
  EXPECT_EQ(d.msg.topic, "a/b");
  EXPECT_EQ(d.msg.payload, "hi");
  EXPECT_EQ(d.msg.qos, 1);
  EXPECT_TRUE(d.msg.retain);
}

TEST(SpoolRecordCodec, Crc32cKnownValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);  // the CRC-32C check value
  EXPECT_EQ(crc32c("6789", crc32c("12345")), 0xE3069283u);
}

TEST(SpoolRecordCodec, OverheadForTypicalMessage) {
  message m;
  m.topic = std::string(20, 't');
  m.payload = std::string(64, 'p');
  m.qos = 1;
  // seq near a million and a current wall clock: still under 20 bytes of framing.
  EXPECT_LE(data_record_size(1'000'000, unix_ms_now(), m), 84u + 20u);
}

TEST(SpoolRecordCodec, EveryFieldRoundTrips) {
  message m;
  m.topic = "x/y/z";
  m.payload = std::string("\0\1\2binary", 9);
  m.qos = 2;
  m.payload_format = 1;
  m.content_type = "application/json";
  m.response_topic = "reply/here";
  m.correlation_data = std::string("\0c", 2);
  m.user_properties = {{"k1", "v1"}, {"", ""}};
  m.expire_at_ms = -12345;
  m.from_client = "client-1";
  m.from_protocol = "mqtt";
  std::string out;
  encode_data(out, 1, -1, m);
  EXPECT_EQ(data_record_size(1, -1, m), out.size());
  const auto d = decode_data(out);
  EXPECT_EQ(d.seq, 1u);
  EXPECT_EQ(d.append_ms, -1);
  EXPECT_EQ(d.msg.topic, m.topic);
  EXPECT_EQ(d.msg.payload, m.payload);
  EXPECT_EQ(d.msg.qos, 2);
  EXPECT_FALSE(d.msg.retain);
  EXPECT_EQ(d.msg.payload_format, m.payload_format);
  EXPECT_EQ(d.msg.content_type, m.content_type);
  EXPECT_EQ(d.msg.response_topic, m.response_topic);
  EXPECT_EQ(d.msg.correlation_data, m.correlation_data);
  EXPECT_EQ(d.msg.user_properties, m.user_properties);
  EXPECT_EQ(d.msg.expire_at_ms, m.expire_at_ms);
  EXPECT_EQ(d.msg.from_client, m.from_client);
  EXPECT_EQ(d.msg.from_protocol, m.from_protocol);
  // Canonical: re-encoding gives the same bytes.
  std::string again;
  encode_data(again, d.seq, d.append_ms, d.msg);
  EXPECT_EQ(again, out);
}

TEST(SpoolRecordCodec, EmptyTopicAndPayload) {
  std::string out;
  encode_data(out, 7, 0, message{});
  const auto d = decode_data(out);
  EXPECT_EQ(d.seq, 7u);
  EXPECT_TRUE(d.msg.topic.empty());
  EXPECT_TRUE(d.msg.payload.empty());
}

TEST(SpoolRecordCodec, AckRecordRoundTripsAndBytes) {
  ack_record a;
  a.next_seq = 100;
  a.cursor = 10;
  a.acked = {{12, 14}, {20, 20}, {50, 99}};
  std::string out;
  encode_ack(out, a);
  const std::string body = std::string("\x02", 1) + "\x64" + "\x0A" + "\x03"  // next, cursor, 3
                           + "\x02\x02"                                       // 12 = 10 + 2, len 3
                           + std::string("\x06\x00", 2)                       // 20 = 14 + 6, len 1
                           + "\x1E\x31";  // 50 = 20 + 30, len 50
  EXPECT_EQ(out, seal(body));
  auto r = decode_record(out);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<ack_record>(r.value().rec), a);

  ack_record none;
  none.next_seq = none.cursor = 5;
  out.clear();
  encode_ack(out, none);
  r = decode_record(out);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<ack_record>(r.value().rec), none);
}

TEST(SpoolRecordCodec, FollowingBytesAreNotPartOfTheFrame) {
  std::string out;
  encode_data(out, 1, 1, *test::msg(1));
  const std::size_t one = out.size();
  encode_data(out, 2, 1, *test::msg(2));
  auto r = decode_record(out);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().size, one);
  EXPECT_EQ(std::get<data_record>(r.value().rec).seq, 1u);
}

TEST(SpoolRecordCodec, EveryTruncationIsReported) {
  std::string out;
  encode_data(out, 123456, unix_ms_now(), *test::msg(1));
  for (std::size_t n = 0; n < out.size(); ++n) {
    EXPECT_EQ(error_of(std::string_view(out).substr(0, n)), record_errc::truncated) << n;
  }
}

TEST(SpoolRecordCodec, EveryBitFlipIsRejected) {
  std::string out;
  encode_data(out, 99, 12345, *test::msg(1));
  for (std::size_t i = 0; i < out.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = out;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_FALSE(decode_record(bad)) << i << ":" << bit;
    }
  }
}

TEST(SpoolRecordCodec, BadLengths) {
  EXPECT_EQ(error_of(std::string("\0\0\0\0\0", 5)), record_errc::bad_length);  // zero length
  const std::string huge = std::string(4, '\0') + varint(max_record_body + 1) + "x";
  EXPECT_EQ(error_of(huge), record_errc::bad_length);
  // Non-minimal or over-long length varints.
  EXPECT_EQ(error_of(std::string("\0\0\0\0\x81\x00", 6) + "x"), record_errc::bad_value);
  EXPECT_EQ(error_of(std::string(4, '\0') + std::string(10, '\xFF') + "\x01"),
            record_errc::bad_value);
}

TEST(SpoolRecordCodec, BodyErrorsBehindAGoodChecksum) {
  const std::string d = "\x01";  // kind data
  EXPECT_EQ(error_of(seal("\x07")), record_errc::bad_kind);
  EXPECT_EQ(error_of(seal(std::string("\0", 1))), record_errc::bad_kind);
  EXPECT_EQ(error_of(seal(d + "\x01\x01\x03\x00")), record_errc::bad_value);  // qos 3
  EXPECT_EQ(error_of(seal(d + "\x01\x01\x10\x00")), record_errc::bad_value);  // reserved flag
  EXPECT_EQ(error_of(seal(d + std::string("\x00\x01\x01\x00", 4))),
            record_errc::bad_value);  // seq 0
  EXPECT_EQ(error_of(seal(d + std::string("\x81\x00\x01\x01\x00", 5))),
            record_errc::bad_value);  // non-minimal seq
  EXPECT_EQ(error_of(seal(d + "\x01\x01\x01\x05"
                              "ab")),
            record_errc::bad_length);                                  // topic
  EXPECT_EQ(error_of(seal(d + "\x01\x01")), record_errc::bad_length);  // no flags
  // Extras: empty presence, unknown presence bit, payload past the end, trailing bytes.
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x00\x00", 6))), record_errc::bad_value);
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x00\x80\x02", 7))),
            record_errc::bad_value);
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x09", 5))), record_errc::bad_length);
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x00\x01\x07\x00", 8))),
            record_errc::trailing_bytes);
  // Zero user properties with the bit set, zero expiry, empty from_client.
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x00\x10\x00", 7))),
            record_errc::bad_value);
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x00\x20\x00", 7))),
            record_errc::bad_value);
  EXPECT_EQ(error_of(seal(d + std::string("\x01\x01\x09\x00\x00\x40\x00", 7))),
            record_errc::bad_value);
}

TEST(SpoolRecordCodec, AckRecordErrors) {
  const std::string a = "\x02";
  EXPECT_EQ(error_of(seal(a + std::string("\x05\x06\x00", 3))),
            record_errc::bad_value);  // cursor > next
  EXPECT_EQ(error_of(seal(a + std::string("\x05\x00\x00", 3))),
            record_errc::bad_value);  // cursor 0
  EXPECT_EQ(error_of(seal(a + std::string("\x0A\x01\x01\x00\x00", 5))),
            record_errc::bad_value);  // gap 0: the cursor itself acked
  EXPECT_EQ(error_of(seal(a + std::string("\x0A\x01\x01\x02\x08", 5))),
            record_errc::bad_value);  // range reaching next_seq
  EXPECT_EQ(error_of(seal(a + std::string("\x0A\x01\x02\x02\x00\x01\x00", 7))),
            record_errc::bad_value);  // adjacent ranges not merged
  EXPECT_EQ(error_of(seal(a + "\x0A\x01\x03\x02")), record_errc::bad_length);  // too few bytes
  EXPECT_EQ(error_of(seal(a + std::string("\x0A\x01\x00\x00", 4))), record_errc::trailing_bytes);
  EXPECT_EQ(error_of(seal(a + "\x0A")), record_errc::bad_length);
}

}  // namespace
}  // namespace edgegw::bridge
