// The SQLite store through its public interface, on real files in a temporary directory:
// every record kind survives a reopen, batching and group commit, flush semantics,
// ordering, erase_session, and random op sequences against the model.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "gateway/store/durable_store.hpp"
#include "gateway/store/store_error.hpp"
#include "store_test_util.hpp"

namespace edgegw::store {
namespace {

using namespace std::chrono_literals;
using test::model;

class SqliteStore : public ::testing::Test {
 protected:
  store_options options(uint32_t flush_ms = 5) const {
    store_options o;
    o.path = dir_.file("data/broker.db");
    o.flush_interval_ms = flush_ms;
    return o;
  }
  std::unique_ptr<durable_store> open(uint32_t flush_ms = 5) {
    auto s = make_sqlite_store(options(flush_ms));
    auto r = s->load();
    EXPECT_TRUE(r) << r.error().message();
    return s;
  }
  loaded_state reload() {
    auto s = make_sqlite_store(options());
    auto r = s->load();
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(r).value() : loaded_state{};
  }

  test::temp_dir dir_;
  test::log_capture log_;
};

session_message_record full_record(const std::string& client, uint64_t seq) {
  session_message_record r;
  r.client_id = client;
  r.seq = seq;
  r.state = message_state::released;
  r.packet_id = 65535;
  r.qos = 2;
  r.retain = true;
  r.subscription_ids = {1, 268435455};
  r.msg = make_message(test::full_message("q/" + client));
  return r;
}

TEST_F(SqliteStore, FreshStoreLoadsEmptyAndCreatesItsDirectory) {
  auto s = open();
  EXPECT_TRUE(test::fs::exists(dir_.file("data/broker.db")));
  auto again = s->load();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value().retained.empty());
  EXPECT_TRUE(again.value().sessions.empty());
  EXPECT_EQ(again.value().skipped, 0u);
}

TEST_F(SqliteStore, EveryRecordKindSurvivesReopen) {
  const message retained = test::full_message("r/1");
  const session_record session{"dev\x01", "alice", "mqttsn", "site/7/", 3600, 1'700'000'000'000};
  const subscription_record sub{"dev\x01", "$share/g/a/+/#", {2, true, true, 2, 268435455}};
  const session_message_record msg = full_record("dev\x01", 9);
  {
    auto s = open();
    s->put_retained(make_message(retained));
    s->put_session(session);
    s->put_subscription(sub);
    s->put_message(msg);
    s->put_incoming_qos2("dev\x01", 65535);
  }
  for (int instance = 0; instance < 2; ++instance) {  // persists across instances
    loaded_state st = reload();
    ASSERT_EQ(st.retained.size(), 1u);
    test::expect_same(*st.retained[0], retained);

    ASSERT_EQ(st.sessions.size(), 1u);
    const auto& se = st.sessions[0];
    EXPECT_EQ(se.client_id, session.client_id);
    EXPECT_EQ(se.username, session.username);
    EXPECT_EQ(se.protocol, session.protocol);
    EXPECT_EQ(se.mountpoint, session.mountpoint);
    EXPECT_EQ(se.expiry_interval, session.expiry_interval);
    EXPECT_EQ(se.disconnected_at_ms, session.disconnected_at_ms);

    ASSERT_EQ(st.subscriptions.size(), 1u);
    const auto& su = st.subscriptions[0];
    EXPECT_EQ(su.client_id, sub.client_id);
    EXPECT_EQ(su.filter, sub.filter);
    EXPECT_EQ(su.options.qos, 2);
    EXPECT_TRUE(su.options.no_local);
    EXPECT_TRUE(su.options.retain_as_published);
    EXPECT_EQ(su.options.retain_handling, 2);
    EXPECT_EQ(su.options.subscription_id, 268435455u);

    ASSERT_EQ(st.messages.size(), 1u);
    const auto& m = st.messages[0];
    EXPECT_EQ(m.client_id, msg.client_id);
    EXPECT_EQ(m.seq, 9u);
    EXPECT_EQ(m.state, message_state::released);
    EXPECT_EQ(m.packet_id, 65535);
    EXPECT_EQ(m.qos, 2);
    EXPECT_TRUE(m.retain);
    EXPECT_EQ(m.subscription_ids, msg.subscription_ids);
    test::expect_same(*m.msg, *msg.msg);

    ASSERT_EQ(st.incoming_qos2.size(), 1u);
    EXPECT_EQ(st.incoming_qos2[0].client_id, "dev\x01");
    EXPECT_EQ(st.incoming_qos2[0].packet_id, 65535);
  }
}

TEST_F(SqliteStore, UpdatesAndErasesAcrossBatchesPersist) {
  {
    auto s = open();
    s->put_message(full_record("a", 1));
    s->put_message(full_record("a", 2));
    s->put_retained(make_message(test::small_message("r/1", "x")));
    s->put_incoming_qos2("a", 1);
    s->put_subscription({"a", "f", {}});
    s->flush();
    s->update_message("a", 1, message_state::sent, 77);
    s->erase_message("a", 2);
    s->erase_retained("r/1");
    s->erase_incoming_qos2("a", 1);
    s->erase_subscription("a", "f");
    s->flush();
    EXPECT_EQ(s->stats().batches, 2u);
  }
  loaded_state st = reload();
  ASSERT_EQ(st.messages.size(), 1u);
  EXPECT_EQ(st.messages[0].seq, 1u);
  EXPECT_EQ(st.messages[0].state, message_state::sent);
  EXPECT_EQ(st.messages[0].packet_id, 77);
  EXPECT_TRUE(st.retained.empty());
  EXPECT_TRUE(st.incoming_qos2.empty());
  EXPECT_TRUE(st.subscriptions.empty());
}

TEST_F(SqliteStore, PutReplacesTheRecord) {
  {
    auto s = open();
    s->put_retained(make_message(test::small_message("r", "old")));
    s->put_session({"a", "u1", "mqtt", "", 1, 0});
    s->flush();
    s->put_retained(make_message(test::small_message("r", "new")));
    s->put_session({"a", "u2", "coap", "m/", 2, 5});
  }
  loaded_state st = reload();
  ASSERT_EQ(st.retained.size(), 1u);
  EXPECT_EQ(st.retained[0]->payload, "new");
  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_EQ(st.sessions[0].username, "u2");
  EXPECT_EQ(st.sessions[0].mountpoint, "m/");
}

TEST_F(SqliteStore, MessagesComeBackOrderedByClientThenSeq) {
  std::vector<std::pair<std::string, uint64_t>> keys;
  for (const char* c : {"b", "a", "c", "aa"}) {
    for (uint64_t seq : {5ull, 1ull, 1ull << 40, 300ull, 2ull}) keys.emplace_back(c, seq);
  }
  std::shuffle(keys.begin(), keys.end(), std::mt19937(3));
  {
    auto s = open();
    for (const auto& [c, seq] : keys) s->put_message(full_record(c, seq));
  }
  loaded_state st = reload();
  ASSERT_EQ(st.messages.size(), keys.size());
  std::sort(keys.begin(), keys.end());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(st.messages[i].client_id, keys[i].first);
    EXPECT_EQ(st.messages[i].seq, keys[i].second);
  }
}

TEST_F(SqliteStore, EraseSessionRemovesEverythingTheClientOwns) {
  auto fill = [](durable_store& s, const std::string& c) {
    s.put_session({c, "u", "mqtt", "", 60, 0});
    s.put_subscription({c, "a/#", {}});
    s.put_subscription({c, "b/+", {}});
    s.put_message(full_record(c, 1));
    s.put_message(full_record(c, 2));
    s.put_incoming_qos2(c, 10);
  };
  {
    auto s = open();
    fill(*s, "gone");
    fill(*s, "kept");
    fill(*s, "same-batch");
    s->put_retained(make_message(test::small_message("gone", "retained is not a session's")));
    s->flush();
    s->erase_session("gone");  // a later batch than its records
    fill(*s, "same-batch");
    s->erase_session("same-batch");  // the same batch as its records
  }
  loaded_state st = reload();
  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_EQ(st.sessions[0].client_id, "kept");
  EXPECT_EQ(st.subscriptions.size(), 2u);
  EXPECT_EQ(st.messages.size(), 2u);
  EXPECT_EQ(st.incoming_qos2.size(), 1u);
  for (const auto& m : st.messages) EXPECT_EQ(m.client_id, "kept");
  EXPECT_EQ(st.retained.size(), 1u);
}

TEST_F(SqliteStore, ManyOpsGoInFewTransactions) {
  // A long flush interval: batches are cut only by max_batch and by flush().
  store_options o = options(60'000);
  o.max_batch = 4096;
  auto s = make_sqlite_store(o);
  ASSERT_TRUE(s->load());
  for (int i = 0; i < 10'000; ++i) {
    s->put_incoming_qos2("c" + std::to_string(i / 1000), static_cast<uint16_t>(i % 1000 + 1));
  }
  s->flush();
  const store_stats st = s->stats();
  EXPECT_EQ(st.batches, 3u);  // 4096 + 4096 + 1808
  EXPECT_EQ(st.operations, 10'000u);
  EXPECT_EQ(st.pending, 0u);
  EXPECT_EQ(st.errors, 0u);
  s.reset();
  EXPECT_EQ(reload().incoming_qos2.size(), 10'000u);
}

TEST_F(SqliteStore, ConcurrentWritersAreAllCommitted) {
  auto s = open(2);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        s->put_message(full_record("w" + std::to_string(t), static_cast<uint64_t>(i)));
        if (i % 100 == 0) s->flush();
      }
    });
  }
  for (auto& w : writers) w.join();
  s->flush();
  EXPECT_EQ(s->stats().operations, 2000u);
  EXPECT_LT(s->stats().batches, 2000u);
  s.reset();
  EXPECT_EQ(reload().messages.size(), 2000u);
}

TEST_F(SqliteStore, FlushReturnsOnceEverythingBeforeItIsCommitted) {
  auto s = open(3'600'000);  // without flush() nothing would commit for an hour
  for (int i = 0; i < 100; ++i) s->put_message(full_record("a", static_cast<uint64_t>(i)));
  const auto started = std::chrono::steady_clock::now();
  s->flush();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s);
  EXPECT_EQ(s->stats().pending, 0u);
  EXPECT_EQ(s->stats().batches, 1u);

  // What is on disk now is what a crash now would leave: copy the database and its WAL
  // while the store is still open, and read the copy.
  test::fs::create_directories(dir_.path() / "copy");
  for (const char* suffix : {"", "-wal"}) {
    const auto from = dir_.file(std::string("data/broker.db") + suffix);
    if (test::fs::exists(from)) {
      test::fs::copy_file(from, dir_.file(std::string("copy/broker.db") + suffix));
    }
  }
  store_options copy;
  copy.path = dir_.file("copy/broker.db");
  auto c = make_sqlite_store(copy);
  auto st = c->load();
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st.value().messages.size(), 100u);
}

TEST_F(SqliteStore, FlushWithNothingPendingReturnsAtOnce) {
  auto s = open(3'600'000);
  s->flush();
  s->flush();
  EXPECT_EQ(s->stats().batches, 0u);
}

TEST_F(SqliteStore, FlushIntervalCommitsWithoutFlush) {
  auto s = open(10);
  s->put_incoming_qos2("a", 1);
  // Bounded wait for the storage thread's own commit (no flush() involved).
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (s->stats().batches == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(s->stats().batches, 1u);
  EXPECT_EQ(s->stats().pending, 0u);
}

TEST_F(SqliteStore, DestructorCommitsWhatIsQueued) {
  {
    auto s = open(3'600'000);
    for (int i = 0; i < 50; ++i) s->put_incoming_qos2("a", static_cast<uint16_t>(i + 1));
  }
  EXPECT_EQ(reload().incoming_qos2.size(), 50u);
}

TEST_F(SqliteStore, LoadSeesWhatWasEnqueuedBeforeIt) {
  auto s = make_sqlite_store(options(3'600'000));
  s->put_incoming_qos2("early", 1);  // before load(): the store opens the file itself
  auto st = s->load();
  ASSERT_TRUE(st) << st.error().message();
  ASSERT_EQ(st.value().incoming_qos2.size(), 1u);
  EXPECT_EQ(st.value().incoming_qos2[0].client_id, "early");
}

TEST_F(SqliteStore, RandomOpSequencesMatchTheModel) {
  std::mt19937 rng(1234);
  model expected;
  {
    auto s = open(3'600'000);
    for (int i = 0; i < 3000; ++i) {
      const detail::op o = test::random_op(rng);
      expected.apply(o);
      test::submit(*s, o);
      if (rng() % 40 == 0) s->flush();  // batches of ~40 ops, coalesced
    }
    s->flush();
    EXPECT_GT(s->stats().batches, 20u);
    EXPECT_EQ(s->stats().errors, 0u);
  }
  EXPECT_TRUE(model::from(reload()) == expected);
}

TEST_F(SqliteStore, SecondStoreOnTheSameFileIsRefused) {
  auto first = open();
  first->put_incoming_qos2("a", 1);
  first->flush();
  auto second = make_sqlite_store(options());
  auto r = second->load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store_errc::locked) << r.error().message();
  EXPECT_NE(r.error().message().find(dir_.file("data/broker.db")), std::string::npos);
}

TEST_F(SqliteStore, SyncModesAllWork) {
  for (sync_mode m : {sync_mode::off, sync_mode::normal, sync_mode::full}) {
    store_options o = options();
    o.path = dir_.file("sync" + std::to_string(static_cast<int>(m)) + ".db");
    o.sync = m;
    {
      auto s = make_sqlite_store(o);
      ASSERT_TRUE(s->load());
      s->put_retained(make_message(test::small_message("t", "p")));
    }
    auto s = make_sqlite_store(o);
    auto st = s->load();
    ASSERT_TRUE(st);
    EXPECT_EQ(st.value().retained.size(), 1u);
  }
}

TEST(NullStore, KeepsNothing) {
  auto s = make_null_store();
  s->put_retained(make_message(test::small_message("t", "p")));
  s->put_session({"a", "", "", "", 0, 0});
  s->put_incoming_qos2("a", 1);
  s->flush();
  auto st = s->load();
  ASSERT_TRUE(st);
  EXPECT_TRUE(st.value().retained.empty());
  EXPECT_TRUE(st.value().sessions.empty());
  EXPECT_TRUE(st.value().incoming_qos2.empty());
  EXPECT_EQ(s->stats().batches, 0u);
}

}  // namespace
}  // namespace edgegw::store
