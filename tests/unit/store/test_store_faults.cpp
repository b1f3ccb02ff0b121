// Write failures injected under SQLite (fault_vfs): a transient failure at any write
// point is retried and loses nothing; a lasting failure is counted, logged with the number
// of operations lost, and the store recovers once the disk does; a batch whose ops cancel
// out touches no file at all.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <functional>

#include "fault_vfs.hpp"
#include "gateway/store/durable_store.hpp"
#include "gateway/store/store_error.hpp"
#include "store_test_util.hpp"

namespace edgegw::store {
namespace {

using test::fault_vfs;
using test::model;

class StoreFaults : public ::testing::Test {
 protected:
  store_options options(const std::string& name, sync_mode sync = sync_mode::normal) const {
    store_options o;
    o.path = dir_.file(name);
    o.sync = sync;
    o.flush_interval_ms = 3'600'000;  // batches end at flush()
    return o;
  }
  loaded_state reload(const store_options& o) {
    auto s = make_sqlite_store(o);
    auto r = s->load();
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(r).value() : loaded_state{};
  }

  test::temp_dir dir_;
  test::log_capture log_;
  fault_vfs vfs_;  // default VFS while the test runs
};

session_message_record record(const std::string& client, uint64_t seq) {
  session_message_record r;
  r.client_id = client;
  r.seq = seq;
  r.qos = 1;
  r.msg = make_message(test::full_message("t/" + std::to_string(seq)));
  return r;
}

// Three batches touching every table; returns what the database must hold afterwards.
model workload(durable_store& s) {
  std::vector<detail::op> ops;
  for (uint64_t i = 1; i <= 20; ++i) ops.push_back(detail::put_message_op{record("a", i), {}, {}});
  ops.push_back(detail::put_session_op{session_record{"a", "u", "mqtt", "", 60, 0}});
  ops.push_back(detail::put_subscription_op{subscription_record{"a", "x/#", {}}});
  ops.push_back(detail::put_retained_op{make_message(test::full_message("r/1")), {}});
  model expected;
  for (const auto& o : ops) {
    test::submit(s, o);
    expected.apply(o);
  }
  s.flush();
  std::vector<detail::op> more;
  for (uint64_t i = 1; i <= 10; ++i) more.push_back(detail::erase_message_op{"a", i});
  more.push_back(detail::update_message_op{"a", 15, message_state::sent, 15});
  more.push_back(detail::put_qos2_op{"a", 3});
  more.push_back(detail::put_session_op{session_record{"b", "u", "coap", "", 0, 0}});
  for (const auto& o : more) {
    test::submit(s, o);
    expected.apply(o);
  }
  s.flush();
  const detail::op last[] = {detail::erase_retained_op{"r/1"}, detail::erase_session_op{"b"}};
  for (const auto& o : last) {
    test::submit(s, o);
    expected.apply(o);
  }
  s.flush();
  return expected;
}

// Fails the n-th write-like call (n = 1, 2, ...) once, until the workload runs without
// reaching the failure: every single failure must be absorbed by the retry.
void transient_failure_at_every_point(fault_vfs& vfs, int rc, sync_mode sync,
                                      const std::function<store_options(std::string)>& opts) {
  uint64_t failed_attempts = 0;
  for (uint64_t n = 1;; ++n) {
    ASSERT_LT(n, 1000u) << "the workload never finishes without reaching the failure";
    const store_options o = opts("t" + std::to_string(n) + ".db");
    model expected;
    uint64_t fired = 0;
    {
      auto s = make_sqlite_store(o);
      ASSERT_TRUE(s->load());
      vfs.fail_from(n, 1, rc);
      const uint64_t before = vfs.failures();
      expected = workload(*s);
      fired = vfs.failures() - before;
      failed_attempts += s->stats().errors;
      EXPECT_EQ(s->stats().pending, 0u);
    }  // closing (checkpoint) may meet the failure too
    vfs.disarm();
    auto s = make_sqlite_store(o);
    auto st = s->load();
    ASSERT_TRUE(st) << "n=" << n << ": " << st.error().message();
    ASSERT_TRUE(model::from(st.value()) == expected) << "n=" << n << " sync=" << int(sync);
    if (fired == 0) break;
  }
  EXPECT_GT(failed_attempts, 5u);  // failures did hit batches, and were retried
}

TEST_F(StoreFaults, TransientIoErrorAtAnyWriteIsRetried) {
  transient_failure_at_every_point(vfs_, SQLITE_IOERR_WRITE, sync_mode::full,
                                   [&](std::string n) { return options(n, sync_mode::full); });
  EXPECT_TRUE(log_.contains("write_failed attempt=1/4"));
  EXPECT_TRUE(log_.contains("write_recovered"));
  EXPECT_FALSE(log_.contains("batch_lost"));
}

TEST_F(StoreFaults, TransientDiskFullAtAnyWriteIsRetried) {
  transient_failure_at_every_point(vfs_, SQLITE_FULL, sync_mode::normal,
                                   [&](std::string n) { return options(n); });
  EXPECT_TRUE(log_.contains("full"));
  EXPECT_FALSE(log_.contains("batch_lost"));
}

TEST_F(StoreFaults, LastingFailureIsCountedLoggedAndRecovered) {
  const store_options o = options("lasting.db");
  {
    auto s = make_sqlite_store(o);
    ASSERT_TRUE(s->load());
    s->put_incoming_qos2("kept", 1);
    s->flush();

    vfs_.fail_from(1, fault_vfs::forever, SQLITE_IOERR_WRITE);
    for (uint16_t id = 1; id <= 5; ++id) s->put_incoming_qos2("lost", id);
    s->flush();  // four attempts, then one by one, then reported
    const store_stats st = s->stats();
    EXPECT_GE(st.errors, 4u);
    EXPECT_EQ(st.pending, 0u);
    EXPECT_TRUE(log_.contains("write_failed attempt=4/4")) << log_.text();
    EXPECT_TRUE(log_.contains("batch_lost ops=5 written=5")) << log_.text();

    vfs_.disarm();  // the disk is back
    s->put_incoming_qos2("after", 1);
    s->flush();
    EXPECT_EQ(s->stats().errors, st.errors);
  }
  loaded_state st = reload(o);
  std::vector<std::string> clients;
  for (const auto& q : st.incoming_qos2) clients.push_back(q.client_id);
  EXPECT_EQ(clients, (std::vector<std::string>{"after", "kept"}));
}

TEST_F(StoreFaults, DeadDiskGivesUpOnALargeBatchQuickly) {
  const store_options o = options("dead.db");
  auto s = make_sqlite_store(o);
  ASSERT_TRUE(s->load());
  vfs_.fail_from(1, fault_vfs::forever, SQLITE_IOERR_WRITE);
  for (uint16_t id = 1; id <= 1000; ++id) s->put_incoming_qos2("c", id);
  s->flush();
  // Four attempts of the batch, then eight single ops in a row fail and the rest is not
  // tried; every op is still accounted for in the error line.
  EXPECT_EQ(s->stats().errors, 4u + 8u);
  EXPECT_TRUE(log_.contains("batch_lost ops=1000 written=1000")) << log_.text();
  vfs_.disarm();
}

TEST_F(StoreFaults, OneBadOpDoesNotSinkItsBatch) {
  const store_options o = options("poison.db");
  {
    auto s = make_sqlite_store(o);
    ASSERT_TRUE(s->load());
  }
  // A trigger makes exactly one op fail, every time, whatever the disk does.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TRIGGER poison BEFORE INSERT ON incoming_qos2 "
                         "WHEN NEW.packet_id = 666 BEGIN SELECT RAISE(ABORT, 'poisoned'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    auto s = make_sqlite_store(o);
    ASSERT_TRUE(s->load());
    s->put_incoming_qos2("c", 1);
    s->put_incoming_qos2("c", 666);
    s->put_incoming_qos2("c", 2);
    s->put_retained(make_message(test::small_message("r", "p")));
    s->flush();
    EXPECT_EQ(s->stats().errors, 4u + 1u);
    EXPECT_TRUE(log_.contains("batch_lost ops=1 written=4")) << log_.text();
    EXPECT_TRUE(log_.contains("poisoned"));
  }
  loaded_state st = reload(o);
  EXPECT_EQ(st.incoming_qos2.size(), 2u);
  EXPECT_EQ(st.retained.size(), 1u);
}

TEST_F(StoreFaults, FailingDiskAtLoadIsAnErrorNotACrash) {
  const store_options o = options("fresh.db");
  vfs_.fail_from(1, fault_vfs::forever, SQLITE_IOERR_WRITE);
  {
    auto s = make_sqlite_store(o);
    auto r = s->load();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), store_errc::io_error) << r.error().message();
    EXPECT_NE(r.error().message().find(o.path), std::string::npos) << r.error().message();
  }
  vfs_.disarm();
  auto s = make_sqlite_store(o);
  auto r = s->load();
  EXPECT_TRUE(r) << r.error().message();
}

TEST_F(StoreFaults, OpsThatCancelOutTouchNoFile) {
  auto s = make_sqlite_store(options("quiet.db"));
  ASSERT_TRUE(s->load());
  s->put_incoming_qos2("warm", 1);
  s->flush();

  const uint64_t before = vfs_.calls();
  s->put_message(record("a", 1));
  s->update_message("a", 1, message_state::sent, 1);
  s->erase_message("a", 1);
  s->put_incoming_qos2("a", 7);
  s->erase_incoming_qos2("a", 7);
  s->flush();
  EXPECT_EQ(vfs_.calls(), before) << "a batch that changes nothing must not write";
  EXPECT_EQ(s->stats().operations, 6u);

  s->put_message(record("a", 2));  // control: a real change does write
  s->flush();
  EXPECT_GT(vfs_.calls(), before);
}

}  // namespace
}  // namespace edgegw::store
