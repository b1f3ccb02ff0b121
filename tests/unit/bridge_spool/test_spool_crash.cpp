// kill -9 of a process that is appending: a forked child appends as fast as it can and
// reports, through a pipe, every seq whose on_durable ran (and acknowledges some). After
// the parent kills it mid-stream, a new spool on the same directory must hold every
// reported, unacknowledged record, intact and in order.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "spool_test_util.hpp"

namespace edgegw::bridge {
namespace {

using test::msg;
using test::options;
using test::temp_dir;

// In the child: append forever; seqs are written to `fd` once durable. Odd seqs are
// acknowledged right after they are durable, so ack state is in flight at the kill too.
[[noreturn]] void child(const spool_options& o, int fd) {
  auto s = spool::open(o, nullptr);
  if (!s) ::_exit(2);
  spool* sp = s.value().get();
  std::atomic<uint64_t> done{0};
  for (uint64_t i = 1;; ++i) {
    // Keep the backlog bounded (so no overflow drops): a throttle, not a synchronisation.
    while (i - done.load() > 20'000) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    sp->append(msg(i), [fd, i, sp, &done] {
      ++done;
      if (i % 2 == 1) sp->ack(i);
      const uint64_t v = i;
      if (::write(fd, &v, sizeof v) != sizeof v) ::_exit(3);
    });
  }
}

void crash_and_recover(spool_sync mode) {
  temp_dir d;
  auto o = options(d.path());
  o.sync = mode;
  o.segment_bytes = 256 * 1024;  // rolls and deletions happen during the run
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    child(o, fds[1]);
  }
  ::close(fds[1]);
  std::set<uint64_t> durable;
  uint64_t v = 0;
  constexpr std::size_t want = 20'000;
  while (durable.size() < want) {
    const ssize_t n = ::read(fds[0], &v, sizeof v);
    ASSERT_EQ(n, static_cast<ssize_t>(sizeof v)) << "child ended early";
    durable.insert(v);
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  while (::read(fds[0], &v, sizeof v) == static_cast<ssize_t>(sizeof v)) durable.insert(v);
  ::close(fds[0]);

  spool_open_report rep;
  auto s = spool::open(o, &rep);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(rep.corrupt_records, 0u) << (rep.problems.empty() ? "" : rep.problems[0]);
  std::vector<spool_entry> out;
  s.value()->read(0, out, 10'000'000);
  std::set<uint64_t> present;
  uint64_t last = 0;
  for (const auto& e : out) {
    EXPECT_GT(e.seq, last);
    last = e.seq;
    EXPECT_EQ(e.msg->payload, msg(e.seq)->payload);
    present.insert(e.seq);
  }
  std::size_t missing = 0;
  for (uint64_t seq : durable) {
    if (seq % 2 == 0 && !present.count(seq)) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << durable.size() << " reported durable";
  // New seqs start after everything the child used.
  EXPECT_GT(s.value()->append(msg(0), nullptr), *durable.rbegin());
}

TEST(SpoolCrash, KillNineKeepsEveryDurableRecordSyncNormal) {
  crash_and_recover(spool_sync::normal);
}
TEST(SpoolCrash, KillNineKeepsEveryDurableRecordSyncOff) {
  crash_and_recover(spool_sync::off);
}
TEST(SpoolCrash, KillNineKeepsEveryDurableRecordSyncFull) {
  crash_and_recover(spool_sync::full);
}

}  // namespace
}  // namespace edgegw::bridge
