// Damaged spool directories written by the test: a flipped byte, a torn tail, garbage
// files, a damaged ack state. Recovery reports each problem and keeps every good record.
#include <gtest/gtest.h>

#include <fstream>

#include "bridge/spool/detail/segment_file.hpp"
#include "bridge/spool/detail/segment_scan.hpp"
#include "spool_test_util.hpp"

namespace edgegw::bridge {
namespace {

using test::msg;
using test::options;
using test::temp_dir;

std::vector<uint64_t> read_all(spool& s) {
  std::vector<spool_entry> out;
  s.read(0, out, 1'000'000);
  std::vector<uint64_t> seqs;
  for (const auto& e : out) {
    EXPECT_EQ(e.msg->payload, msg(e.seq)->payload);
    seqs.push_back(e.seq);
  }
  return seqs;
}

std::vector<std::filesystem::path> segments(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> v;
  for (const auto& de : std::filesystem::directory_iterator(dir)) {
    if (detail::segment_id(de.path().filename().string()) != 0) v.push_back(de.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}
void spit(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << bytes;
}

// A spool with records 1..n and no acks, closed; returns the segment holding them.
std::filesystem::path write_spool(const std::filesystem::path& dir, uint64_t n) {
  auto s = spool::open(options(dir), nullptr);
  EXPECT_TRUE(s);
  for (uint64_t i = 1; i <= n; ++i) s.value()->append(msg(i), nullptr);
  s.value().reset();
  auto segs = segments(dir);
  EXPECT_EQ(segs.size(), 1u);
  return segs.back();
}

// Offset of record `seq` in a segment (records are all the same size here).
std::size_t offset_of(const std::string& file, uint64_t seq) {
  auto scanned = detail::scan_segment(file, 0);
  for (const auto& d : scanned.data) {
    if (d.seq == seq) return static_cast<std::size_t>(d.offset);
  }
  ADD_FAILURE() << "no record " << seq;
  return 0;
}

std::vector<uint64_t> all_but(uint64_t n, uint64_t skip) {
  std::vector<uint64_t> v;
  for (uint64_t i = 1; i <= n; ++i) {
    if (i != skip) v.push_back(i);
  }
  return v;
}

TEST(SpoolFiles, FlippedByteLosesOnlyThatRecord) {
  temp_dir d;
  const auto seg = write_spool(d.path(), 20);
  std::string bytes = slurp(seg);
  bytes[offset_of(bytes, 7) + 12] ^= 0x01;
  spit(seg, bytes);
  spool_open_report rep;
  auto s = spool::open(options(d.path()), &rep);
  ASSERT_TRUE(s);
  EXPECT_EQ(rep.corrupt_records, 1u);
  EXPECT_EQ(rep.recovered, 19u);
  ASSERT_FALSE(rep.problems.empty());
  EXPECT_NE(rep.problems[0].find("checksum"), std::string::npos) << rep.problems[0];
  EXPECT_EQ(read_all(*s.value()), all_but(20, 7));
  // The loss is reported once more as a missing seq range.
  bool missing = false;
  for (const auto& p : rep.problems) missing = missing || p.find("seq 7..7") != std::string::npos;
  EXPECT_TRUE(missing);
}

TEST(SpoolFiles, TornTailIsCutAndReportedOnce) {
  temp_dir d;
  const auto seg = write_spool(d.path(), 10);
  std::string bytes = slurp(seg);
  const std::size_t cut = offset_of(bytes, 10) + 5;
  bytes.resize(cut);
  spit(seg, bytes);
  {
    spool_open_report rep;
    auto s = spool::open(options(d.path()), &rep);
    ASSERT_TRUE(s);
    EXPECT_EQ(rep.corrupt_records, 1u);
    EXPECT_EQ(rep.recovered, 9u);
    EXPECT_EQ(read_all(*s.value()), all_but(9, 0));
    // 10 never became durable, so its seq is given again.
    EXPECT_EQ(s.value()->append(msg(10), nullptr), 10u);
  }
  EXPECT_EQ(std::filesystem::file_size(seg), cut - 5);  // cut back to the last whole record
  spool_open_report rep;
  auto s = spool::open(options(d.path()), &rep);
  ASSERT_TRUE(s);
  EXPECT_EQ(rep.corrupt_records, 0u) << (rep.problems.empty() ? "" : rep.problems[0]);
  EXPECT_EQ(rep.recovered, 10u);
}

TEST(SpoolFiles, ZeroedTailAsAfterPowerLoss) {
  temp_dir d;
  const auto seg = write_spool(d.path(), 10);
  std::string bytes = slurp(seg);
  bytes.append(4096, '\0');
  spit(seg, bytes);
  spool_open_report rep;
  auto s = spool::open(options(d.path()), &rep);
  ASSERT_TRUE(s);
  EXPECT_EQ(rep.corrupt_records, 1u);
  EXPECT_EQ(read_all(*s.value()), all_but(10, 0));
}

TEST(SpoolFiles, GarbageSegmentFileIsReportedNotFatal) {
  temp_dir d;
  write_spool(d.path(), 5);
  spit(d.path() / "seg-0000000099.log", std::string(1000, '\x77'));
  spit(d.path() / "unrelated.txt", "hello");
  spool_open_report rep;
  auto s = spool::open(options(d.path()), &rep);
  ASSERT_TRUE(s);
  EXPECT_EQ(rep.recovered, 5u);
  EXPECT_GE(rep.corrupt_records, 1u);
  EXPECT_GE(rep.problems.size(), 2u);  // bad header, damaged bytes
  EXPECT_EQ(read_all(*s.value()), all_but(5, 0));
  EXPECT_TRUE(std::filesystem::exists(d.path() / "unrelated.txt"));
  // New segments are numbered after the highest one found.
  EXPECT_TRUE(std::filesystem::exists(d.path() / "seg-0000000100.log"));
}

TEST(SpoolFiles, DamagedAckStateFallsBackToAnOlderOneWithoutLoss) {
  temp_dir d;
  {
    auto s = spool::open(options(d.path()), nullptr);
    ASSERT_TRUE(s);
    for (uint64_t i = 1; i <= 10; ++i) s.value()->append(msg(i), nullptr);
    s.value()->flush();
    for (uint64_t i = 1; i <= 4; ++i) s.value()->ack(i);
    s.value()->flush();
    s.value()->ack(5);
    s.value()->ack(6);
  }
  // Damage the newest ack record: the one acknowledging 5 and 6.
  const auto seg = segments(d.path()).back();
  std::string bytes = slurp(seg);
  bytes[bytes.size() - 2] ^= 0x10;
  spit(seg, bytes);
  spool_open_report rep;
  auto s = spool::open(options(d.path()), &rep);
  ASSERT_TRUE(s);
  EXPECT_EQ(rep.corrupt_records, 1u);
  // 5 and 6 come back (a duplicate upstream, as QoS 1 allows); nothing unacked is lost.
  EXPECT_EQ(read_all(*s.value()), (std::vector<uint64_t>{5, 6, 7, 8, 9, 10}));
}

TEST(SpoolFiles, EmptyAndHeaderOnlySegments) {
  temp_dir d;
  std::filesystem::create_directories(d.path());
  spit(d.path() / "seg-0000000001.log", "");
  spit(d.path() / "seg-0000000002.log", std::string(detail::segment_magic));
  spool_open_report rep;
  auto s = spool::open(options(d.path()), &rep);
  ASSERT_TRUE(s);
  EXPECT_EQ(rep.recovered, 0u);
  EXPECT_EQ(s.value()->append(msg(1), nullptr), 1u);
  s.value().reset();
  EXPECT_EQ(segments(d.path()).size(), 1u);  // the two empty ones were removed
}

}  // namespace
}  // namespace edgegw::bridge
