// The ban list written through the SQLite store: survives a reopen, removals and expiry
// reach the file, and a schema version 1 file gains the table without losing anything.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/core/ban_list.hpp"
#include "gateway/store/durable_store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace edgegw;

class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "edgegw-bans-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& n) const { return (path_ / n).string(); }

 private:
  fs::path path_;
};

struct ban_persistence : ::testing::Test {
  temp_dir dir;
  std::string path = dir.file("broker.db");
  const int64_t now = 1'800'000'000;

  std::unique_ptr<store::durable_store> open_store() {
    store::store_options o;
    o.path = path;
    return store::make_sqlite_store(o);
  }
  // A fresh store on the same file, as after a restart.
  store::loaded_state reload() {
    auto s = open_store();
    auto r = s->load();
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? std::move(r).value() : store::loaded_state{};
  }
};

TEST_F(ban_persistence, AddedBansSurviveARestart) {
  {
    auto s = open_store();
    ASSERT_TRUE(s->load());
    core::ban_list bans;
    bans.attach(s.get());
    EXPECT_TRUE(bans.add({"clientid", "dev-1", "mgmt_api", "noisy", now, 0}));
    EXPECT_TRUE(bans.add({"peerhost", "10.0.0.9", "flapping", "", now, now + 300}));
    EXPECT_FALSE(bans.add({"clientid", "dev-1", "x", "", now, 0}));  // no second row
    s->flush();
  }
  auto st = reload();
  ASSERT_EQ(st.bans.size(), 2u);
  core::ban_list again;
  again.restore(st.bans, now + 1);
  EXPECT_TRUE(again.is_banned("dev-1", "", "1.2.3.4", now + 1));
  EXPECT_TRUE(again.is_banned("other", "", "10.0.0.9", now + 1));
  auto l = again.list(now + 1);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0].by, "mgmt_api");
  EXPECT_EQ(l[0].reason, "noisy");
  EXPECT_EQ(l[1].by, "flapping");
  EXPECT_EQ(l[1].until_s, now + 300);
}

TEST_F(ban_persistence, RemovedBanIsGoneAfterARestart) {
  {
    auto s = open_store();
    ASSERT_TRUE(s->load());
    core::ban_list bans;
    bans.attach(s.get());
    bans.add({"username", "mallory", "mgmt_api", "", now, 0});
    bans.add({"username", "eve", "mgmt_api", "", now, 0});
    s->flush();
    EXPECT_TRUE(bans.remove("username", "mallory"));
    EXPECT_FALSE(bans.remove("username", "mallory"));
    s->flush();
  }
  auto st = reload();
  ASSERT_EQ(st.bans.size(), 1u);
  EXPECT_EQ(st.bans[0].who, "eve");
}

TEST_F(ban_persistence, ExpiredBansArePurgedFromTheFile) {
  {
    auto s = open_store();
    ASSERT_TRUE(s->load());
    core::ban_list bans;
    bans.attach(s.get());
    bans.add({"clientid", "short", "flapping", "", now, now + 10});
    bans.add({"clientid", "long", "flapping", "", now, now + 1000});
    s->flush();
    EXPECT_FALSE(bans.is_banned("short", "", "", now + 10));  // expired: purged on access
    s->flush();
  }
  auto st = reload();
  ASSERT_EQ(st.bans.size(), 1u);
  EXPECT_EQ(st.bans[0].who, "long");
}

TEST_F(ban_persistence, BansExpiredWhileDownAreErasedAtRestore) {
  {
    auto s = open_store();
    ASSERT_TRUE(s->load());
    s->put_ban({"clientid", "old", "flapping", "", now - 100, now - 50});
    s->put_ban({"clientid", "live", "mgmt_api", "", now - 100, 0});
    s->flush();
  }
  {
    auto s = open_store();
    auto st = s->load();
    ASSERT_TRUE(st);
    core::ban_list bans;
    bans.attach(s.get());
    bans.restore(st.value().bans, now);
    EXPECT_EQ(bans.list(now).size(), 1u);
    s->flush();
  }
  auto st = reload();
  ASSERT_EQ(st.bans.size(), 1u);
  EXPECT_EQ(st.bans[0].who, "live");
}

TEST_F(ban_persistence, SchemaVersion1FileIsMigratedAndKeepsItsData) {
  std::ifstream in(EDGEGW_STORE_TEST_FILES "/schema_v1.sql");
  std::stringstream sql;
  sql << in.rdbuf();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.str().c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  {
    auto s = open_store();
    auto st = s->load();
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(st.value().sessions.size(), 1u);
    EXPECT_EQ(st.value().retained.size(), 1u);
    EXPECT_TRUE(st.value().bans.empty());
    s->put_ban({"clientid", "after-migration", "mgmt_api", "", now, 0});
    s->flush();
  }
  auto st = reload();
  EXPECT_EQ(st.sessions.size(), 1u);
  ASSERT_EQ(st.bans.size(), 1u);
  EXPECT_EQ(st.bans[0].who, "after-migration");
  // The file now says version 2.
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='schema_version'", -1, &q, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), 2);
  sqlite3_finalize(q);
  sqlite3_close(db);
}

TEST_F(ban_persistence, NullStoreKeepsNothingButWorks) {
  auto s = store::make_null_store();
  core::ban_list bans;
  bans.attach(s.get());
  EXPECT_TRUE(bans.add({"clientid", "x", "mgmt_api", "", now, 0}));
  EXPECT_TRUE(bans.is_banned("x", "", "", now));
  auto st = s->load();
  ASSERT_TRUE(st);
  EXPECT_TRUE(st.value().bans.empty());
}

}  // namespace
