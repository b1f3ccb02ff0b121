// Opening and checking the store's SQLite file (reading it back is in sqlite_load.cpp,
// writing batches in sqlite_write.cpp). The file is opened in WAL mode with an exclusive lock: only
// this process uses it, SQLite needs no shared-memory file, and a second edgegw on the same
// data_dir gets a clear "in use" error instead of interleaving writes.
#include "gateway/store/detail/sqlite_database.hpp"
#include "gateway/store/detail/sqlite_statements.hpp"

#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>

#include "gateway/store/store_error.hpp"

namespace edgegw::store::detail {

namespace {

constexpr const char* schema_sql = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);
CREATE TABLE retained(topic TEXT PRIMARY KEY, msg BLOB NOT NULL);
CREATE TABLE sessions(
  client_id TEXT PRIMARY KEY, username TEXT NOT NULL, protocol TEXT NOT NULL,
  mountpoint TEXT NOT NULL, expiry_interval INTEGER NOT NULL,
  disconnected_at_ms INTEGER NOT NULL);
CREATE TABLE subscriptions(
  client_id TEXT NOT NULL, filter TEXT NOT NULL, qos INTEGER NOT NULL,
  no_local INTEGER NOT NULL, retain_as_published INTEGER NOT NULL,
  retain_handling INTEGER NOT NULL, subscription_id INTEGER NOT NULL,
  PRIMARY KEY(client_id, filter));
CREATE TABLE session_messages(
  client_id TEXT NOT NULL, seq INTEGER NOT NULL, state INTEGER NOT NULL,
  packet_id INTEGER NOT NULL, qos INTEGER NOT NULL, retain INTEGER NOT NULL,
  sub_ids BLOB NOT NULL, msg BLOB NOT NULL, PRIMARY KEY(client_id, seq));
CREATE TABLE incoming_qos2(
  client_id TEXT NOT NULL, packet_id INTEGER NOT NULL, PRIMARY KEY(client_id, packet_id));
)sql";
// What version 2 adds; a new file gets both, migrate() adds it to a version 1 file.
constexpr const char* v2_sql = R"sql(
CREATE TABLE banned(
  kind TEXT NOT NULL, who TEXT NOT NULL, by TEXT NOT NULL, reason TEXT NOT NULL,
  at_s INTEGER NOT NULL, until_s INTEGER NOT NULL, PRIMARY KEY(kind, who));
)sql";

const char* sync_pragma(sync_mode m) {
  switch (m) {
    case sync_mode::off:
      return "PRAGMA synchronous=OFF";
    case sync_mode::normal:
      return "PRAGMA synchronous=NORMAL";
    case sync_mode::full:
      return "PRAGMA synchronous=FULL";
  }
  return "PRAGMA synchronous=FULL";
}

std::string advice(store_errc kind, const std::string& path) {
  switch (kind) {
    case store_errc::corrupt:
    case store_errc::not_a_database:
      return "move it aside (mv '" + path + "' '" + path + ".bad', and its -wal file if any) " +
             "and edgegw starts with an empty store; edgegw never deletes it itself";
    case store_errc::newer_schema:
      return "run the newer edgegw, or move the file aside and edgegw starts with an empty store";
    case store_errc::cannot_open:
      return "check that its directory exists or can be created and is writable by edgegw";
    case store_errc::locked:
      return "another process (a second edgegw?) has it open; stop that process first";
    case store_errc::io_error:
      return "check the disk; if the file is damaged, move it aside and edgegw starts fresh";
  }
  return "move it aside and edgegw starts fresh";
}

store_errc kind_of(int rc) {
  switch (rc & 0xFF) {
    case SQLITE_CORRUPT:
      return store_errc::corrupt;
    case SQLITE_NOTADB:
      return store_errc::not_a_database;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return store_errc::cannot_open;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return store_errc::locked;
    default:
      return store_errc::io_error;
  }
}

}  // namespace

sqlite_database::sqlite_database(std::string path, sync_mode sync,
                                 std::shared_ptr<spdlog::logger> log)
    : path_(std::move(path)), sync_(sync), log_(std::move(log)) {}

sqlite_database::~sqlite_database() {
  close();
}

std::error_code sqlite_database::fail(store_errc kind, const std::string& what) const {
  return make_store_error(kind, "store file " + path_ + ": " + what + "; " + advice(kind, path_));
}

std::error_code sqlite_database::fail_rc(int rc, const std::string& what) const {
  return fail(kind_of(rc),
              what + ": " + conn_.last_error() + " (sqlite " + std::to_string(rc) + ")");
}

std::error_code sqlite_database::open() {
  if (conn_.is_open()) return {};
  if (path_.empty()) return fail(store_errc::cannot_open, "no path configured");

  std::error_code fs_ec;
  const auto dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, fs_ec);
  if (fs_ec) {
    return fail(store_errc::cannot_open,
                "cannot create directory " + dir.string() + ": " + fs_ec.message());
  }
  if (auto ec = check_file()) return ec;

  int rc = conn_.open(path_);
  if (rc != SQLITE_OK) {
    auto ec = fail_rc(rc, "cannot open");
    close();
    return ec;
  }
  // EXCLUSIVE before the first access, so WAL keeps its index in heap memory.
  rc = conn_.exec("PRAGMA locking_mode=EXCLUSIVE");
  if (rc != SQLITE_OK) {
    auto ec = fail_rc(rc, "cannot lock");
    close();
    return ec;
  }
  // The schema is checked before anything is written, so a file we refuse stays untouched.
  // Reading it is the first real access, where a damaged header shows.
  bool fresh = false;
  int64_t version = schema_version;
  std::error_code ec = check_schema(fresh, version);
  std::string mode;
  if (!ec) {
    mode = conn_.query_text("PRAGMA journal_mode=WAL", &rc);
    if (rc == SQLITE_OK) rc = conn_.exec(sync_pragma(sync_));
    // Bound the WAL file left after each checkpoint (SD cards, small partitions).
    if (rc == SQLITE_OK) rc = conn_.exec("PRAGMA journal_size_limit=4194304");
    if (rc != SQLITE_OK) ec = fail_rc(rc, "cannot set up");
  }
  if (!ec && mode != "wal") {
    log_->warn("wal_unavailable path={} journal_mode={}", path_, mode);
  }
  if (!ec && fresh) ec = create_schema();
  if (!ec && !fresh && version < schema_version) ec = migrate(version);
  if (!ec) {
    stmts_ = std::make_unique<statements>();
    rc = stmts_->prepare(conn_.get());
    if (rc != SQLITE_OK) ec = fail_rc(rc, "unexpected table layout");
  }
  if (ec) close();
  return ec;
}

// Checks SQLite does not make for us. A file shorter than its header, or cut inside a
// page, reads as zeros where bytes are missing; without a WAL to replay, that is damage.
// With a WAL present a short file may be a checkpoint cut by a crash, which recovery
// repairs, so only the magic is checked then.
std::error_code sqlite_database::check_file() const {
  std::error_code fs_ec;
  const auto size = std::filesystem::file_size(path_, fs_ec);
  if (fs_ec || size == 0) return {};  // missing or empty: a fresh store
  std::ifstream in(path_, std::ios::binary);
  std::array<char, 100> header{};
  in.read(header.data(), header.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  static constexpr std::string_view magic("SQLite format 3\0", 16);
  const std::size_t n = std::min(got, magic.size());
  if (std::string_view(header.data(), n) != magic.substr(0, n)) {
    return fail(store_errc::not_a_database, "is not a SQLite database");
  }
  const auto wal_size = std::filesystem::file_size(path_ + "-wal", fs_ec);
  if (!fs_ec && wal_size > 0) return {};
  if (size < header.size()) {
    return fail(store_errc::corrupt,
                "is truncated (" + std::to_string(size) + " bytes, less than its header)");
  }
  auto be = [&](std::size_t at, std::size_t len) {
    uint64_t v = 0;
    for (std::size_t i = 0; i < len; ++i) v = (v << 8) | static_cast<uint8_t>(header[at + i]);
    return v;
  };
  uint64_t page_size = be(16, 2);
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
    return {};  // SQLite itself reports a bad header
  }
  if (size % page_size != 0) {
    return fail(store_errc::corrupt, "is truncated (" + std::to_string(size) +
                                         " bytes is not a whole number of " +
                                         std::to_string(page_size) + "-byte pages)");
  }
  // The page count in the header is valid when the change counter (offset 24) matches
  // the version-valid-for number (offset 92).
  const uint64_t pages = be(28, 4);
  if (pages != 0 && be(24, 4) == be(92, 4) && size < pages * page_size) {
    return fail(store_errc::corrupt, "is truncated (" + std::to_string(size / page_size) +
                                         " of its " + std::to_string(pages) + " pages)");
  }
  return {};
}

std::error_code sqlite_database::check_schema(bool& fresh, int64_t& version_out) {
  int rc = SQLITE_OK;
  const std::string has_meta = conn_.query_text(
      "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'", &rc);
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read the schema");
  fresh = false;
  if (has_meta == "0") {
    const std::string tables =
        conn_.query_text("SELECT count(*) FROM sqlite_master WHERE type='table'", &rc);
    if (rc != SQLITE_OK) return fail_rc(rc, "cannot read the schema");
    if (tables != "0") {
      return fail(store_errc::not_a_database,
                  "is a SQLite database but not an edgegw store (it has no meta table)");
    }
    fresh = true;
    return {};
  }

  const std::string v = conn_.query_text("SELECT value FROM meta WHERE key='schema_version'", &rc);
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read the schema version");
  int64_t version = 0;
  try {
    std::size_t used = 0;
    version = std::stoll(v, &used);
    if (used != v.size()) version = 0;
  } catch (const std::exception&) {
    version = 0;
  }
  if (version <= 0) {
    return fail(store_errc::corrupt, "has an invalid schema version '" + v + "'");
  }
  if (version > schema_version) {
    return fail(store_errc::newer_schema, "has schema version " + std::to_string(version) +
                                              " but this edgegw reads versions up to " +
                                              std::to_string(schema_version));
  }
  version_out = version;  // older versions are migrated by open(), once the file is set up
  return {};
}

// One transaction for all steps: a crash leaves the old version, migrated again next time.
std::error_code sqlite_database::migrate(int64_t from) {
  int rc = conn_.exec("BEGIN IMMEDIATE");
  if (rc == SQLITE_OK && from < 2) rc = conn_.exec(v2_sql);
  if (rc == SQLITE_OK) {
    const std::string update =
        "UPDATE meta SET value=" + std::to_string(schema_version) + " WHERE key='schema_version'";
    rc = conn_.exec(update.c_str());
  }
  if (rc == SQLITE_OK) rc = conn_.exec("COMMIT");
  if (rc != SQLITE_OK) {
    auto ec = fail_rc(rc, "cannot migrate from schema version " + std::to_string(from));
    if (conn_.in_transaction()) conn_.exec("ROLLBACK");
    return ec;
  }
  log_->info("migrated path={} from={} to={}", path_, from, schema_version);
  return {};
}

std::error_code sqlite_database::create_schema() {
  int rc = conn_.exec("BEGIN IMMEDIATE");
  if (rc == SQLITE_OK) rc = conn_.exec(schema_sql);
  if (rc == SQLITE_OK) rc = conn_.exec(v2_sql);
  if (rc == SQLITE_OK) {
    const std::string insert = "INSERT INTO meta(key, value) VALUES('schema_version', " +
                               std::to_string(schema_version) + ")";
    rc = conn_.exec(insert.c_str());
  }
  if (rc == SQLITE_OK) rc = conn_.exec("COMMIT");
  if (rc != SQLITE_OK) {
    auto ec = fail_rc(rc, "cannot create the schema");
    if (conn_.in_transaction()) conn_.exec("ROLLBACK");
    return ec;
  }
  log_->info("created path={} schema_version={}", path_, schema_version);
  return {};
}

void sqlite_database::close() noexcept {
  stmts_.reset();
  conn_.close();
}

std::error_code sqlite_database::quick_check() {
  if (auto ec = open()) return ec;
  statement st;
  int rc = st.prepare(conn_.get(), "PRAGMA quick_check", false);
  std::string problems;
  int rows = 0;
  while (rc == SQLITE_OK || rc == SQLITE_ROW) {
    rc = st.step();
    if (rc != SQLITE_ROW) break;
    const auto line = st.column_text(0);
    if (line == "ok") continue;
    if (rows++ < 3) problems += (problems.empty() ? "" : "; ") + std::string(line);
  }
  if (rc != SQLITE_DONE) {
    auto ec = fail_rc(rc, "integrity check failed");
    st.finalize();
    close();
    return ec;
  }
  if (rows > 0) {
    st.finalize();
    close();
    return fail(store_errc::corrupt,
                "integrity check found " + std::to_string(rows) + " problem(s): " + problems);
  }
  return {};
}

}  // namespace edgegw::store::detail
