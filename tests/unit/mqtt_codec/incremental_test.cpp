// Incremental decoding: need_more bounds, the size limit decided from the fixed header
// alone, Remaining Length boundaries, and a byte stream fed in small chunks.
#include "codec_test_util.hpp"
#include "sample_packets.hpp"

namespace edgegw::mqtt::test {
namespace {

TEST(Incremental, EmptyInputNeedsTwoBytes) {
  packet got;
  auto r = decode({}, version::v311, 0, got);
  EXPECT_EQ(r.status, decode_status::need_more);
  EXPECT_EQ(r.needed, 2u);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(Incremental, PartialRemainingLengthAsksForOneMoreByte) {
  packet got;
  EXPECT_EQ(decode_copy({0x30, 0x80}, version::v311, 0, got).needed, 3u);
  EXPECT_EQ(decode_copy({0x30, 0x80, 0x80}, version::v311, 0, got).needed, 4u);
  EXPECT_EQ(decode_copy({0x30, 0x80, 0x80, 0x80}, version::v311, 0, got).needed, 5u);
}

TEST(Incremental, WholeHeaderGivesTheExactTotal) {
  packet got;
  auto r = decode_copy({0x30, 0x0A, 0x00, 0x03}, version::v311, 0, got);
  EXPECT_EQ(r.status, decode_status::need_more);
  EXPECT_EQ(r.needed, 12u);
  r = decode_copy({0x30, 0x80, 0x01}, version::v311, 0, got);  // 128-byte body
  EXPECT_EQ(r.needed, 131u);
}

TEST(Incremental, PacketTooLargeFromTheFixedHeaderAlone) {
  packet got;
  // Remaining Length 1000, only the header has arrived: refused before buffering the body.
  auto r = decode_copy({0x30, 0xE8, 0x07}, version::v5, 100, got);
  EXPECT_EQ(r.status, decode_status::packet_too_large);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_NE(r.error, nullptr);
  // The limit counts the fixed header: 3 + 1000 bytes.
  EXPECT_EQ(decode_copy({0x30, 0xE8, 0x07}, version::v5, 1003, got).status,
            decode_status::need_more);
  EXPECT_EQ(decode_copy({0x30, 0xE8, 0x07}, version::v5, 1002, got).status,
            decode_status::packet_too_large);
}

TEST(Incremental, LargestRemainingLength) {
  packet got;
  const bytes hdr{0x30, 0xFF, 0xFF, 0xFF, 0x7F};  // 268435455
  auto r = decode_copy(hdr, version::v311, 0, got);
  EXPECT_EQ(r.status, decode_status::need_more);
  EXPECT_EQ(r.needed, 5u + 268'435'455u);
  EXPECT_EQ(decode_copy(hdr, version::v311, 268'435'460, got).status, decode_status::need_more);
  EXPECT_EQ(decode_copy(hdr, version::v311, 268'435'459, got).status,
            decode_status::packet_too_large);
}

// PUBLISH "t" with a body of `body` bytes: header bytes as the spec's table 1.5.5 lists.
void check_boundary(std::size_t body, const bytes& header) {
  SCOPED_TRACE(body);
  publish p;
  p.topic = "t";
  p.payload.assign(body - 3, 'b');
  std::string out;
  ASSERT_EQ(encode(p, version::v311, out), header.size() + body);
  EXPECT_EQ(hex(std::string_view(out).substr(0, header.size())), hex(header));
  packet got;
  auto r = decode(std::span(reinterpret_cast<const uint8_t*>(out.data()), out.size()),
                  version::v311, 0, got);
  ASSERT_EQ(r.status, decode_status::ok);
  EXPECT_EQ(r.consumed, out.size());
  EXPECT_EQ(std::get<publish>(got), p);
  // One byte short is need_more with the exact total.
  r = decode(std::span(reinterpret_cast<const uint8_t*>(out.data()), out.size() - 1), version::v311,
             0, got);
  EXPECT_EQ(r.status, decode_status::need_more);
  EXPECT_EQ(r.needed, out.size());
}

TEST(Incremental, RemainingLengthBoundaries) {
  check_boundary(127, {0x30, 0x7F});
  check_boundary(128, {0x30, 0x80, 0x01});
  check_boundary(16'383, {0x30, 0xFF, 0x7F});
  check_boundary(16'384, {0x30, 0x80, 0x80, 0x01});
  check_boundary(2'097'151, {0x30, 0xFF, 0xFF, 0x7F});
  check_boundary(2'097'152, {0x30, 0x80, 0x80, 0x80, 0x01});
}

class Stream : public ::testing::TestWithParam<version> {};

// A connection's read buffer: bytes arrive in chunks of every size from 1 to 7, packets are
// decoded as soon as they are whole, and come out equal and in order.
TEST_P(Stream, ChunkedStreamDecodesEveryPacketInOrder) {
  const version ver = GetParam();
  const auto samples = sample_packets(ver);
  std::string wire;
  for (const auto& s : samples) ASSERT_GT(encode(s.value, ver, wire), 0u) << s.name;
  for (std::size_t chunk = 1; chunk <= 7; ++chunk) {
    SCOPED_TRACE(chunk);
    bytes buffer;
    std::size_t fed = 0;
    std::size_t next = 0;
    packet got;
    while (fed < wire.size() || !buffer.empty()) {
      const std::size_t n = std::min(chunk, wire.size() - fed);
      buffer.insert(buffer.end(), wire.begin() + fed, wire.begin() + fed + n);
      fed += n;
      for (;;) {
        auto r = decode(buffer, ver, 0, got);
        if (r.status == decode_status::need_more) {
          ASSERT_GT(r.needed, buffer.size());
          ASSERT_LT(fed, wire.size()) << "stream ended inside a packet";
          break;
        }
        ASSERT_EQ(r.status, decode_status::ok) << r.error;
        ASSERT_LT(next, samples.size());
        EXPECT_TRUE(got == samples[next].value) << samples[next].name;
        ++next;
        buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        if (buffer.empty()) break;
      }
    }
    EXPECT_EQ(next, samples.size());
  }
}

TEST_P(Stream, EverySampleSplitAtEveryOffset) {
  for (const auto& s : sample_packets(GetParam())) {
    SCOPED_TRACE(s.name);
    std::string wire;
    ASSERT_GT(encode(s.value, GetParam(), wire), 0u);
    expect_decodes_to(bytes(wire.begin(), wire.end()), GetParam(), s.value);
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, Stream,
                         ::testing::Values(version::v31, version::v311, version::v5), version_name);

TEST(Incremental, ReusedPublishIsResetCompletely) {
  // decode keeps a PUBLISH already in `out` to reuse its buffers; no field may leak over.
  publish first;
  first.dup = true;
  first.qos = 2;
  first.retain = true;
  first.packet_id = 9;
  first.topic = "a/long/topic/name";
  first.payload.assign(100, 'x');
  first.props.topic_alias = 3;
  first.props.user_properties = {{"k", "v"}};
  publish second;
  second.topic = "b";
  second.payload = "y";
  std::string w1, w2;
  encode(first, version::v5, w1);
  encode(second, version::v5, w2);
  packet got;
  auto span_of = [](const std::string& s) {
    return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  ASSERT_EQ(decode(span_of(w1), version::v5, 0, got).status, decode_status::ok);
  EXPECT_EQ(std::get<publish>(got), first);
  ASSERT_EQ(decode(span_of(w2), version::v5, 0, got).status, decode_status::ok);
  EXPECT_EQ(std::get<publish>(got), second);
}

}  // namespace
}  // namespace edgegw::mqtt::test
