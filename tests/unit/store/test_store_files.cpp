// Damaged store files, in the spirit of mosquitto's persist_read golden files: a store
// written by edgegw, then truncated, with its header overwritten, replaced by garbage,
// with a newer schema, foreign, or with single undecodable rows. load() must return an
// error that names the file and the way out (or skip just the bad rows), never crash,
// and never delete the file.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "gateway/store/durable_store.hpp"
#include "gateway/store/store_error.hpp"
#include "store_test_util.hpp"

namespace edgegw::store {
namespace {

class StoreFiles : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("broker.db"); }

  // A store with enough data to span many pages, closed cleanly (WAL checkpointed).
  void write_golden() {
    store_options o;
    o.path = path();
    auto s = make_sqlite_store(o);
    ASSERT_TRUE(s->load());
    for (int i = 0; i < 200; ++i) {
      s->put_retained(make_message(
          test::small_message("r/" + std::to_string(i), std::string(700, static_cast<char>(i)))));
      s->put_session({"c" + std::to_string(i), "u", "mqtt", "", 60, 0});
    }
  }

  result<loaded_state> load() {
    store_options o;
    o.path = path();
    auto s = make_sqlite_store(o);
    return s->load();
  }

  // The error names the file and says to move it aside; the file is still there.
  void expect_clear_error(const result<loaded_state>& r, const std::string& before) {
    ASSERT_FALSE(r);
    const std::string msg = r.error().message();
    EXPECT_NE(msg.find(path()), std::string::npos) << msg;
    EXPECT_NE(msg.find("move"), std::string::npos) << msg;
    EXPECT_TRUE(test::read_file(path()) == before) << "the file must be left as it was";
  }

  void sql(const std::string& statement) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }

  test::temp_dir dir_;
  test::log_capture log_;
};

TEST_F(StoreFiles, GoldenFileLoadsWhole) {
  write_golden();
  EXPECT_FALSE(test::fs::exists(path() + "-wal")) << "a clean close checkpoints the WAL";
  auto r = load();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r.value().retained.size(), 200u);
  EXPECT_EQ(r.value().sessions.size(), 200u);
}

TEST_F(StoreFiles, GoldenSchemaV1StillLoads) {
  sql(test::read_file(EDGEGW_STORE_TEST_FILES "/schema_v1.sql"));
  auto r = load();
  ASSERT_TRUE(r) << r.error().message();
  const loaded_state& st = r.value();
  EXPECT_EQ(st.skipped, 0u);

  ASSERT_EQ(st.retained.size(), 1u);
  const message& rm = *st.retained[0];
  EXPECT_EQ(rm.topic, "site/1/status");
  EXPECT_EQ(rm.payload, "online");
  EXPECT_EQ(rm.qos, 1);
  EXPECT_TRUE(rm.retain);
  EXPECT_EQ(rm.content_type, "text/plain");
  EXPECT_EQ(rm.from_client, "gw-probe");
  EXPECT_EQ(rm.from_protocol, "mqtt");

  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_EQ(st.sessions[0].client_id, "sensor-7");
  EXPECT_EQ(st.sessions[0].username, "alice");
  EXPECT_EQ(st.sessions[0].protocol, "mqttsn");
  EXPECT_EQ(st.sessions[0].mountpoint, "site/1/");
  EXPECT_EQ(st.sessions[0].expiry_interval, 3600u);
  EXPECT_EQ(st.sessions[0].disconnected_at_ms, 1'700'000'000'000);

  ASSERT_EQ(st.subscriptions.size(), 1u);
  const auto& sub = st.subscriptions[0];
  EXPECT_EQ(sub.filter, "site/1/cmd/#");
  EXPECT_EQ(sub.options.qos, 1);
  EXPECT_TRUE(sub.options.no_local);
  EXPECT_FALSE(sub.options.retain_as_published);
  EXPECT_EQ(sub.options.retain_handling, 1);
  EXPECT_EQ(sub.options.subscription_id, 42u);

  ASSERT_EQ(st.messages.size(), 1u);
  const auto& m = st.messages[0];
  EXPECT_EQ(m.client_id, "sensor-7");
  EXPECT_EQ(m.seq, 3u);
  EXPECT_EQ(m.state, message_state::sent);
  EXPECT_EQ(m.packet_id, 17);
  EXPECT_EQ(m.qos, 1);
  EXPECT_FALSE(m.retain);
  EXPECT_EQ(m.subscription_ids, std::vector<uint32_t>{42});
  EXPECT_EQ(m.msg->topic, "site/1/cmd/led");
  EXPECT_EQ(m.msg->payload, std::string("\x01\x00", 2));
  EXPECT_EQ(m.msg->qos, 2);
  EXPECT_EQ(m.msg->payload_format, 0);
  EXPECT_EQ(m.msg->response_topic, "site/1/reply");
  EXPECT_EQ(m.msg->correlation_data, "c-9");
  EXPECT_EQ(m.msg->user_properties, (std::vector<user_property>{{"origin", "api"}}));
  EXPECT_EQ(m.msg->expire_at_ms, 1'700'000'600'000);
  EXPECT_EQ(m.msg->from_client, "api");
  EXPECT_EQ(m.msg->from_protocol, "http");

  ASSERT_EQ(st.incoming_qos2.size(), 1u);
  EXPECT_EQ(st.incoming_qos2[0].packet_id, 9);
}

TEST_F(StoreFiles, GarbageFileIsNotADatabase) {
  std::string garbage(8192, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>(i * 131 + 7);
  test::write_file(path(), garbage);
  auto r = load();
  expect_clear_error(r, garbage);
  EXPECT_EQ(r.error(), store_errc::not_a_database) << r.error().message();
}

TEST_F(StoreFiles, TextFileIsNotADatabase) {
  test::write_file(path(), "[node]\nname = edgegw\n");
  auto r = load();
  expect_clear_error(r, "[node]\nname = edgegw\n");
}

TEST_F(StoreFiles, OverwrittenMagicIsNotADatabase) {
  write_golden();
  std::string bytes = test::read_file(path());
  bytes.replace(0, 16, "NotSQLite at all");
  test::write_file(path(), bytes);
  auto r = load();
  expect_clear_error(r, bytes);
  EXPECT_EQ(r.error(), store_errc::not_a_database);
}

TEST_F(StoreFiles, OverwrittenHeaderFieldsAreReported) {
  write_golden();
  const std::string good = test::read_file(path());
  // Page size (16-17), format versions (18-19), reserved space (20), payload fractions
  // (21-23), page count (28-31), schema format (44-47): each overwritten with 0xFF.
  for (std::size_t offset : {16u, 18u, 20u, 21u, 28u, 44u}) {
    std::string bytes = good;
    for (std::size_t i = offset; i < offset + 4 && i < 100; ++i) bytes[i] = '\xff';
    test::write_file(path(), bytes);
    auto r = load();
    // Some fields SQLite tolerates (it recomputes the page count from the file size);
    // whatever it decides, the outcome is a clean load or a clear error.
    if (!r) {
      expect_clear_error(r, bytes);
    } else {
      EXPECT_EQ(r.value().retained.size(), 200u) << "offset " << offset;
    }
    test::write_file(path(), good);
  }
}

TEST_F(StoreFiles, TruncatedFileIsReportedAtEveryLength) {
  write_golden();
  const std::string good = test::read_file(path());
  ASSERT_GT(good.size(), 40'000u);
  // Inside the header, at page boundaries, and mid-page.
  const std::size_t page = 4096;
  for (std::size_t len :
       {std::size_t{1}, std::size_t{50}, std::size_t{99}, std::size_t{100}, page - 1, page,
        page + 1, 2 * page, 5 * page + 123, good.size() / 2, good.size() - page, good.size() - 1}) {
    const std::string bytes = good.substr(0, len);
    test::write_file(path(), bytes);
    auto r = load();
    if (r) {
      ADD_FAILURE() << "length " << len << " loaded";
      continue;
    }
    expect_clear_error(r, bytes);
    EXPECT_TRUE(r.error() == store_errc::corrupt || r.error() == store_errc::not_a_database)
        << len << ": " << r.error().message();
  }
}

TEST_F(StoreFiles, EmptyFileIsAFreshStore) {
  test::write_file(path(), "");  // SQLite's view too: a zero-length file is an empty database
  auto r = load();
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r.value().sessions.empty());
}

TEST_F(StoreFiles, DamagedPageFailsTheIntegrityCheck) {
  write_golden();
  std::string bytes = test::read_file(path());
  const std::size_t page = 4096;
  // Overwrite the middle page with a pattern that is no valid b-tree page.
  for (std::size_t i = 0; i < page; ++i) {
    bytes[(bytes.size() / page / 2) * page + i] = static_cast<char>(0xA5 ^ i);
  }
  test::write_file(path(), bytes);
  auto r = load();
  expect_clear_error(r, bytes);
  EXPECT_EQ(r.error(), store_errc::corrupt) << r.error().message();
  EXPECT_TRUE(log_.contains("load_failed"));
}

TEST_F(StoreFiles, NewerSchemaIsRefusedWithItsVersion) {
  write_golden();
  sql("UPDATE meta SET value = 99 WHERE key = 'schema_version'");
  const std::string before = test::read_file(path());
  auto r = load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store_errc::newer_schema);
  const std::string msg = r.error().message();
  EXPECT_NE(msg.find("99"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path()), std::string::npos) << msg;
  EXPECT_TRUE(test::read_file(path()) == before);
}

TEST_F(StoreFiles, ForeignDatabaseIsRefused) {
  sql("CREATE TABLE contacts(name TEXT); INSERT INTO contacts VALUES('x')");
  const std::string before = test::read_file(path());
  auto r = load();
  expect_clear_error(r, before);
  EXPECT_EQ(r.error(), store_errc::not_a_database);
}

TEST_F(StoreFiles, UncreatableDirectoryIsCannotOpen) {
  // A regular file where a directory should be: fails for root too, unlike permissions.
  test::write_file(dir_.file("plain"), "x");
  store_options o;
  o.path = dir_.file("plain/sub/broker.db");
  auto s = make_sqlite_store(o);
  auto r = s->load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store_errc::cannot_open) << r.error().message();
  EXPECT_NE(r.error().message().find(o.path), std::string::npos);
  EXPECT_NE(r.error().message().find("cannot create directory"), std::string::npos);
}

TEST_F(StoreFiles, DirectoryInPlaceOfTheFileIsCannotOpen) {
  test::fs::create_directories(path());
  auto r = load();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), store_errc::cannot_open) << r.error().message();
  EXPECT_NE(r.error().message().find(path()), std::string::npos);
}

TEST_F(StoreFiles, UndecodableRowsAreSkippedAndCounted) {
  write_golden();
  {
    store_options o;
    o.path = path();
    auto s = make_sqlite_store(o);
    ASSERT_TRUE(s->load());
    session_message_record m;
    m.client_id = "c1";
    m.qos = 1;
    m.msg = make_message(test::small_message("t", "p"));
    for (uint64_t seq = 1; seq <= 4; ++seq) {
      m.seq = seq;
      s->put_message(m);
    }
    s->put_subscription({"c1", "a", {}});
    s->put_subscription({"c1", "b", {}});
  }
  sql("UPDATE retained SET msg = x'0102' WHERE topic = 'r/5';"
      "UPDATE retained SET msg = substr(msg, 1, length(msg) - 1) WHERE topic = 'r/6';"
      "UPDATE session_messages SET sub_ids = x'80' WHERE seq = 1;"
      "UPDATE session_messages SET state = 9 WHERE seq = 2;"
      "UPDATE subscriptions SET qos = 3 WHERE filter = 'a';"
      "UPDATE sessions SET expiry_interval = -1 WHERE client_id = 'c7';");
  auto r = load();
  ASSERT_TRUE(r) << r.error().message();
  const loaded_state& st = r.value();
  EXPECT_EQ(st.skipped, 6u);
  EXPECT_EQ(st.retained.size(), 198u);
  EXPECT_EQ(st.sessions.size(), 199u);
  EXPECT_EQ(st.subscriptions.size(), 1u);
  ASSERT_EQ(st.messages.size(), 2u);
  EXPECT_EQ(st.messages[0].seq, 3u);
  EXPECT_TRUE(log_.contains("load_skipped path="));
  EXPECT_TRUE(log_.contains("table=retained key=r/5"));
  EXPECT_TRUE(log_.contains("load_skipped_total"));
  EXPECT_TRUE(log_.contains("rows=6"));
}

TEST_F(StoreFiles, RetainedRowUnderTheWrongTopicIsSkipped) {
  write_golden();
  sql("UPDATE retained SET msg = (SELECT msg FROM retained WHERE topic = 'r/2') "
      "WHERE topic = 'r/1'");
  auto r = load();
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().skipped, 1u);
  EXPECT_EQ(r.value().retained.size(), 199u);
}

TEST_F(StoreFiles, FailedLoadStopsWritesLoudly) {
  test::write_file(path(), std::string(4096, 'x'));
  store_options o;
  o.path = path();
  auto s = make_sqlite_store(o);
  ASSERT_FALSE(s->load());
  s->put_incoming_qos2("a", 1);
  s->put_incoming_qos2("a", 2);
  s->flush();
  EXPECT_GE(s->stats().errors, 1u);
  EXPECT_TRUE(log_.contains("batch_lost ops=2")) << log_.text();
  EXPECT_TRUE(test::read_file(path()) == std::string(4096, 'x'));
}

TEST(StoreErrors, KindsAndMessagesSurviveTheErrorCode) {
  const auto a = make_store_error(store_errc::corrupt, "store file /x: bad");
  const auto b = make_store_error(store_errc::corrupt, "store file /x: bad");
  EXPECT_EQ(a, b);  // identical messages share one entry
  EXPECT_EQ(a.message(), "store file /x: bad");
  EXPECT_EQ(a, store_errc::corrupt);
  EXPECT_NE(a, store_errc::locked);
  for (int i = 0; i < 1000; ++i) {  // the table is bounded: the latest messages stay exact
    const auto e = make_store_error(store_errc::locked, "m" + std::to_string(i));
    EXPECT_EQ(e, store_errc::locked);
    EXPECT_EQ(e.message(), "m" + std::to_string(i));
  }
  EXPECT_EQ(a, store_errc::corrupt);  // recycled: still its kind, with the generic text
  EXPECT_EQ(a.message(), "store file is corrupt");
  EXPECT_EQ(make_store_error(store_errc::corrupt, "again").message(), "again");
}

}  // namespace
}  // namespace edgegw::store
