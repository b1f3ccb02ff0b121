// Recovery's segment scan on hand-made files: good frames kept, damaged ranges reported,
// resynchronisation past damage, torn tails, seq order enforced.
#include <gtest/gtest.h>

#include "bridge/spool/detail/segment_scan.hpp"
#include "spool_test_util.hpp"

namespace edgegw::bridge::detail {
namespace {

struct file_builder {
  std::string bytes{segment_magic};
  std::vector<uint64_t> offsets;
  void data(uint64_t seq) {
    offsets.push_back(bytes.size());
    encode_data(bytes, seq, 1000 + static_cast<int64_t>(seq), *test::msg(seq));
  }
  void ack(uint64_t next, uint64_t cursor) {
    ack_record a;
    a.next_seq = next;
    a.cursor = cursor;
    offsets.push_back(bytes.size());
    encode_ack(bytes, a);
  }
};

std::vector<uint64_t> seqs(const segment_scan& s) {
  std::vector<uint64_t> out;
  for (const auto& d : s.data) out.push_back(d.seq);
  return out;
}

TEST(SpoolSegmentScan, CleanFile) {
  file_builder f;
  f.ack(1, 1);
  for (uint64_t s = 1; s <= 5; ++s) f.data(s);
  f.ack(6, 3);
  const auto scan = scan_segment(f.bytes, 0);
  EXPECT_TRUE(scan.header_ok);
  EXPECT_EQ(seqs(scan), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_TRUE(scan.damaged.empty());
  ASSERT_TRUE(scan.last_ack);
  EXPECT_EQ(scan.last_ack->cursor, 3u);
  EXPECT_EQ(scan.good_end, f.bytes.size());
  EXPECT_EQ(scan.data[1].offset, f.offsets[2]);
  EXPECT_EQ(scan.data[1].append_ms, 1002);
}

TEST(SpoolSegmentScan, FlippedByteInTheMiddleKeepsTheRest) {
  file_builder f;
  for (uint64_t s = 1; s <= 5; ++s) f.data(s);
  f.bytes[f.offsets[2] + 10] ^= 0x40;  // inside record 3
  const auto scan = scan_segment(f.bytes, 0);
  EXPECT_EQ(seqs(scan), (std::vector<uint64_t>{1, 2, 4, 5}));
  ASSERT_EQ(scan.damaged.size(), 1u);
  EXPECT_EQ(scan.damaged[0].offset, f.offsets[2]);
  EXPECT_EQ(scan.damaged[0].length, f.offsets[3] - f.offsets[2]);
  EXPECT_EQ(scan.damaged[0].why, record_errc::bad_crc);
  EXPECT_EQ(scan.good_end, f.bytes.size());
}

TEST(SpoolSegmentScan, GarbageBetweenRecords) {
  file_builder f;
  f.data(1);
  f.bytes += std::string(37, '\x5A');
  f.bytes += std::string(100, '\0');  // zeros, as a power loss may leave
  f.data(2);
  const auto scan = scan_segment(f.bytes, 0);
  EXPECT_EQ(seqs(scan), (std::vector<uint64_t>{1, 2}));
  ASSERT_EQ(scan.damaged.size(), 1u);
  EXPECT_EQ(scan.damaged[0].length, 137u);
}

TEST(SpoolSegmentScan, TornTailAtEveryCut) {
  file_builder f;
  f.data(1);
  f.data(2);
  const std::size_t whole = f.bytes.size();
  f.data(3);
  for (std::size_t cut = whole + 1; cut < f.bytes.size(); ++cut) {
    const auto scan = scan_segment(std::string_view(f.bytes).substr(0, cut), 0);
    EXPECT_EQ(seqs(scan), (std::vector<uint64_t>{1, 2})) << cut;
    ASSERT_EQ(scan.damaged.size(), 1u) << cut;
    EXPECT_EQ(scan.damaged[0].offset, whole);
    EXPECT_EQ(scan.damaged[0].offset + scan.damaged[0].length, cut);
    EXPECT_EQ(scan.good_end, whole);
  }
}

TEST(SpoolSegmentScan, BadHeaderStillScansRecords) {
  file_builder f;
  f.data(1);
  f.bytes[0] = 'X';
  const auto scan = scan_segment(f.bytes, 0);
  EXPECT_FALSE(scan.header_ok);
  EXPECT_EQ(seqs(scan), (std::vector<uint64_t>{1}));
}

TEST(SpoolSegmentScan, SeqsMustIncrease) {
  file_builder f;
  f.data(5);
  f.data(3);  // out of order: damage
  f.data(6);
  const auto scan = scan_segment(f.bytes, 0);
  EXPECT_EQ(seqs(scan), (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(scan.damaged.size(), 1u);
  // Seqs at or below what earlier segments held are refused too.
  const auto later = scan_segment(f.bytes, 5);
  EXPECT_EQ(seqs(later), (std::vector<uint64_t>{6}));
}

TEST(SpoolSegmentScan, EmptyAndTinyFiles) {
  EXPECT_TRUE(scan_segment("", 0).data.empty());
  EXPECT_FALSE(scan_segment("EGW", 0).header_ok);
  const auto scan = scan_segment(segment_magic, 0);
  EXPECT_TRUE(scan.header_ok);
  EXPECT_TRUE(scan.damaged.empty());
}

}  // namespace
}  // namespace edgegw::bridge::detail
