// The spool through its public interface on real directories: append, read, ack, restart,
// out-of-order acks, overflow policies, segment rolling and deletion, concurrency.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "spool_test_util.hpp"

namespace edgegw::bridge {
namespace {

using test::msg;
using test::options;
using test::temp_dir;

std::unique_ptr<spool> open_spool(const spool_options& o, spool_open_report* rep = nullptr) {
  auto r = spool::open(o, rep);
  EXPECT_TRUE(r) << (r ? "" : r.error().message());
  return r ? std::move(r.value()) : nullptr;
}

std::vector<uint64_t> read_all(spool& s, uint64_t after = 0) {
  std::vector<spool_entry> out;
  s.read(after, out, 1'000'000);
  std::vector<uint64_t> seqs;
  for (const auto& e : out) seqs.push_back(e.seq);
  return seqs;
}

std::vector<uint64_t> range(uint64_t first, uint64_t last, uint64_t step = 1) {
  std::vector<uint64_t> v;
  for (uint64_t s = first; s <= last; s += step) v.push_back(s);
  return v;
}

std::size_t segment_files(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& de : std::filesystem::directory_iterator(dir)) {
    n += de.path().filename().string().rfind("seg-", 0) == 0;
  }
  return n;
}

TEST(Spool, AppendReadAckRestart) {
  temp_dir d;
  {
    auto s = open_spool(options(d.path()));
    std::atomic<int> durable{0};
    for (uint64_t i = 1; i <= 100; ++i) {
      EXPECT_EQ(s->append(msg(i), [&] { ++durable; }), i);
    }
    s->flush();
    EXPECT_EQ(durable.load(), 100);
    std::vector<spool_entry> out;
    EXPECT_EQ(s->read(0, out, 1000), 100u);
    for (uint64_t i = 1; i <= 100; ++i) {
      EXPECT_EQ(out[i - 1].seq, i);
      EXPECT_EQ(out[i - 1].msg->payload, msg(i)->payload);
      EXPECT_EQ(out[i - 1].msg->topic, msg(i)->topic);
      EXPECT_EQ(out[i - 1].msg->qos, 1);
    }
    for (uint64_t i = 1; i <= 50; ++i) s->ack(i);
    const auto st = s->stats();
    EXPECT_EQ(st.depth, 50u);
    EXPECT_EQ(st.appended, 100u);
    EXPECT_EQ(st.acked, 50u);
    EXPECT_GT(st.fsyncs, 0u);
    EXPECT_GT(st.bytes_written, 100u * 60u);
  }  // the destructor flushes
  spool_open_report rep;
  auto s = open_spool(options(d.path()), &rep);
  EXPECT_EQ(rep.recovered, 50u);
  EXPECT_EQ(rep.corrupt_records, 0u);
  EXPECT_TRUE(rep.problems.empty());
  std::vector<spool_entry> out;
  s->read(0, out, 1000);
  ASSERT_EQ(out.size(), 50u);
  for (uint64_t i = 51; i <= 100; ++i) EXPECT_EQ(out[i - 51].msg->payload, msg(i)->payload);
  EXPECT_EQ(s->append(msg(101), nullptr), 101u);  // seqs continue across restarts
}

TEST(Spool, SeqsSurviveRestartWhenEverythingWasAcked) {
  temp_dir d;
  {
    auto s = open_spool(options(d.path()));
    for (uint64_t i = 1; i <= 10; ++i) s->append(msg(i), nullptr);
    for (uint64_t i = 1; i <= 10; ++i) s->ack(i);
  }
  for (int round = 0; round < 3; ++round) {
    auto s = open_spool(options(d.path()));
    EXPECT_TRUE(read_all(*s).empty());
    EXPECT_EQ(s->append(msg(1), nullptr), 11u + static_cast<uint64_t>(round));
    s->ack(11 + static_cast<uint64_t>(round));
  }
  EXPECT_LE(segment_files(d.path()), 2u);
}

TEST(Spool, ReadAfterAndMax) {
  temp_dir d;
  auto s = open_spool(options(d.path()));
  for (uint64_t i = 1; i <= 20; ++i) s->append(msg(i), nullptr);
  std::vector<spool_entry> out;
  EXPECT_EQ(s->read(5, out, 3), 3u);
  EXPECT_EQ(out[0].seq, 6u);
  EXPECT_EQ(out[2].seq, 8u);
  EXPECT_EQ(read_all(*s, 18), (std::vector<uint64_t>{19, 20}));
  EXPECT_TRUE(read_all(*s, 20).empty());
}

TEST(Spool, OutOfOrderAcksSurviveRestart) {
  temp_dir d;
  {
    auto s = open_spool(options(d.path()));
    for (uint64_t i = 1; i <= 20; ++i) s->append(msg(i), nullptr);
    for (uint64_t i = 20; i >= 2; i -= 2) s->ack(i);
    s->ack(15);
    EXPECT_EQ(read_all(*s), (std::vector<uint64_t>{1, 3, 5, 7, 9, 11, 13, 17, 19}));
    s->flush();
  }
  auto s = open_spool(options(d.path()));
  EXPECT_EQ(read_all(*s), (std::vector<uint64_t>{1, 3, 5, 7, 9, 11, 13, 17, 19}));
  EXPECT_EQ(s->stats().depth, 9u);
  s->ack(1);
  s->ack(3);
  EXPECT_EQ(read_all(*s), (std::vector<uint64_t>{5, 7, 9, 11, 13, 17, 19}));
  EXPECT_GT(s->stats().oldest_ms, 0);
}

TEST(Spool, UnknownAndRepeatedAcksAreIgnored) {
  temp_dir d;
  auto s = open_spool(options(d.path()));
  for (uint64_t i = 1; i <= 3; ++i) s->append(msg(i), nullptr);
  s->ack(0);
  s->ack(99);
  s->ack(2);
  s->ack(2);
  const auto st = s->stats();
  EXPECT_EQ(st.acked, 1u);
  EXPECT_EQ(st.depth, 2u);
  EXPECT_EQ(read_all(*s), (std::vector<uint64_t>{1, 3}));
}

TEST(Spool, DropNewestRefusesAndCounts) {
  temp_dir d;
  auto o = options(d.path());
  o.max_messages = 5;
  o.overflow = overflow_policy::drop_newest;
  auto s = open_spool(o);
  for (uint64_t i = 1; i <= 5; ++i) EXPECT_EQ(s->append(msg(i), nullptr), i);
  bool called = false;
  EXPECT_EQ(s->append(msg(6), [&] { called = true; }), 0u);
  EXPECT_TRUE(called);  // at once, on this thread
  EXPECT_EQ(s->stats().dropped, 1u);
  EXPECT_EQ(read_all(*s), range(1, 5));
  s->ack(1);
  EXPECT_EQ(s->append(msg(7), nullptr), 6u);  // room again; seqs stay contiguous
}

TEST(Spool, DropOldestEvictsAndPersistsTheEviction) {
  temp_dir d;
  auto o = options(d.path());
  o.max_messages = 5;
  {
    auto s = open_spool(o);
    for (uint64_t i = 1; i <= 8; ++i) EXPECT_EQ(s->append(msg(i), nullptr), i);
    EXPECT_EQ(s->stats().dropped, 3u);
    EXPECT_EQ(s->stats().depth, 5u);
    EXPECT_EQ(read_all(*s), range(4, 8));
  }
  spool_open_report rep;
  auto s = open_spool(o, &rep);
  EXPECT_EQ(rep.recovered, 5u);
  EXPECT_EQ(read_all(*s), range(4, 8));
}

TEST(Spool, MaxBytesBoundsTheDepth) {
  temp_dir d;
  auto o = options(d.path());
  const std::size_t one = data_record_size(1, unix_ms_now(), *msg(1));
  o.max_bytes = 3 * one + one / 2;
  auto s = open_spool(o);
  for (uint64_t i = 1; i <= 10; ++i) s->append(msg(i), nullptr);
  EXPECT_EQ(read_all(*s), range(8, 10));
  EXPECT_LE(s->stats().bytes, o.max_bytes);
  // A message larger than the whole spool is refused even under drop_oldest.
  message big;
  big.payload.assign(o.max_bytes, 'b');
  EXPECT_EQ(s->append(make_message(big), nullptr), 0u);
  EXPECT_EQ(read_all(*s), range(8, 10));
}

TEST(Spool, SegmentsRollAndAcknowledgedOnesAreDeleted) {
  temp_dir d;
  auto o = options(d.path());
  o.segment_bytes = 4096;
  o.cache_bytes = 0;  // read back from disk
  auto s = open_spool(o);
  for (uint64_t i = 1; i <= 500; ++i) s->append(msg(i), nullptr);
  s->flush();
  EXPECT_GT(segment_files(d.path()), 5u);
  std::vector<spool_entry> out;
  s->read(0, out, 1000);
  ASSERT_EQ(out.size(), 500u);
  for (uint64_t i = 1; i <= 500; ++i) ASSERT_EQ(out[i - 1].msg->payload, msg(i)->payload);
  for (uint64_t i = 1; i <= 499; ++i) s->ack(i);
  s->flush();
  EXPECT_LE(segment_files(d.path()), 2u);
  EXPECT_EQ(read_all(*s), (std::vector<uint64_t>{500}));
}

TEST(Spool, SyncOffNeverSyncsButSurvivesACleanRestart) {
  temp_dir d;
  auto o = options(d.path());
  o.sync = spool_sync::off;
  {
    auto s = open_spool(o);
    for (uint64_t i = 1; i <= 50; ++i) s->append(msg(i), nullptr);
    s->flush();
    EXPECT_EQ(s->stats().fsyncs, 0u);
  }
  auto s = open_spool(o);
  EXPECT_EQ(read_all(*s), range(1, 50));
}

TEST(Spool, SyncFullSyncsEveryBatch) {
  temp_dir d;
  auto o = options(d.path());
  o.sync = spool_sync::full;
  auto s = open_spool(o);
  const auto before = s->stats().fsyncs;
  for (uint64_t i = 1; i <= 5; ++i) {
    s->append(msg(i), nullptr);
    s->flush();
  }
  EXPECT_GE(s->stats().fsyncs, before + 5);
}

// Waits (bounded) until `n` reaches `want`.
bool wait_count(std::atomic<int>& n, int want) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (n.load() < want) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(Spool, SyncNormalReportsDurableAfterTheWriteAndSyncsLater) {
  temp_dir d;
  auto o = options(d.path());
  o.flush_interval = std::chrono::hours(1);  // no timed sync during the test
  auto s = open_spool(o);
  const auto before = s->stats().fsyncs;
  std::atomic<int> durable{0};
  s->append(msg(1), [&] { ++durable; });
  ASSERT_TRUE(wait_count(durable, 1));  // no flush(): written, not waiting an hour
  EXPECT_EQ(s->stats().fsyncs, before);
  EXPECT_GT(std::filesystem::file_size(d.path() / "seg-0000000001.log"), 8u);
  s->flush();  // a flush syncs
  EXPECT_GT(s->stats().fsyncs, before);
}

TEST(Spool, SyncFullReportsDurableOnlyAfterASync) {
  temp_dir d;
  auto o = options(d.path());
  o.sync = spool_sync::full;
  o.flush_interval = std::chrono::hours(1);
  auto s = open_spool(o);
  const auto before = s->stats().fsyncs;
  std::atomic<int> durable{0};
  s->append(msg(1), [&] { ++durable; });
  ASSERT_TRUE(wait_count(durable, 1));
  EXPECT_GT(s->stats().fsyncs, before);
}

TEST(Spool, OnAppendIsCalled) {
  temp_dir d;
  auto s = open_spool(options(d.path()));
  std::atomic<int> n{0};
  s->set_on_append([&] { ++n; });
  s->append(msg(1), nullptr);
  s->append(msg(2), nullptr);
  EXPECT_EQ(n.load(), 2);
}

TEST(Spool, SecondOpenOfTheSameDirectoryFails) {
  temp_dir d;
  auto s = open_spool(options(d.path()));
  auto again = spool::open(options(d.path()), nullptr);
  EXPECT_FALSE(again);
}

TEST(Spool, UnusableDirectoryFails) {
  temp_dir d;
  std::FILE* f = std::fopen((d.path() / "file").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  auto s = spool::open(options(d.path() / "file" / "spool"), nullptr);
  EXPECT_FALSE(s);
}

TEST(Spool, ConcurrentAppendsAndAcks) {
  temp_dir d;
  auto o = options(d.path());
  o.segment_bytes = 64 * 1024;
  o.cache_bytes = 16 * 1024;
  auto s = open_spool(o);
  constexpr int threads = 4, per_thread = 3000;
  std::atomic<int> durable{0};
  std::vector<std::vector<uint64_t>> got(threads);
  std::atomic<bool> done{false};
  std::thread acker([&] {
    uint64_t after = 0;
    std::vector<spool_entry> out;
    while (!done.load() || !out.empty()) {
      out.clear();
      s->read(after, out, 256);
      for (const auto& e : out) {
        EXPECT_GT(e.seq, after);
        after = e.seq;
        if (e.seq % 3 != 0) s->ack(e.seq);
      }
    }
  });
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        got[t].push_back(s->append(msg(static_cast<uint64_t>(i)), [&] { ++durable; }));
      }
    });
  }
  for (auto& t : ts) t.join();
  s->flush();
  done = true;
  acker.join();
  EXPECT_EQ(durable.load(), threads * per_thread);
  std::set<uint64_t> all;
  for (const auto& v : got) {
    for (std::size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(threads * per_thread));
  EXPECT_EQ(read_all(*s), range(3, threads * per_thread, 3));
  s.reset();
  auto again = open_spool(o);
  EXPECT_EQ(read_all(*again), range(3, threads * per_thread, 3));
}

}  // namespace
}  // namespace edgegw::bridge
