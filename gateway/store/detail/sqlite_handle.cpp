// The sqlite3 C API behind sqlite_handle.hpp.
#include "sqlite_handle.hpp"

#include <sqlite3.h>

namespace edgegw::store::detail {

statement& statement::operator=(statement&& o) noexcept {
  if (this != &o) {
    finalize();
    stmt_ = o.stmt_;
    bind_rc_ = o.bind_rc_;
    o.stmt_ = nullptr;
  }
  return *this;
}

int statement::prepare(sqlite3* db, std::string_view sql, bool persistent) {
  finalize();
  bind_rc_ = SQLITE_OK;
  return sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                            persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, nullptr);
}

void statement::finalize() noexcept {
  if (stmt_) sqlite3_finalize(stmt_);
  stmt_ = nullptr;
}

// A null pointer would bind NULL for an empty value, and the columns are NOT NULL.
// A failed bind (SQLITE_TOOBIG for a value above SQLite's length limit) is kept and
// returned by step(), so callers check one result code per statement.
void statement::bind_text(int index, std::string_view s) noexcept {
  note(sqlite3_bind_text64(stmt_, index, s.empty() ? "" : s.data(), s.size(), SQLITE_STATIC,
                           SQLITE_UTF8));
}

void statement::bind_blob(int index, std::string_view b) noexcept {
  note(sqlite3_bind_blob64(stmt_, index, b.empty() ? "" : b.data(), b.size(), SQLITE_STATIC));
}

void statement::bind_int(int index, int64_t v) noexcept {
  note(sqlite3_bind_int64(stmt_, index, v));
}

void statement::note(int rc) noexcept {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

int statement::step() noexcept {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(stmt_);
}

void statement::reset() noexcept {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

std::string_view statement::column_text(int index) const noexcept {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  const int n = sqlite3_column_bytes(stmt_, index);
  return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
}

std::string_view statement::column_blob(int index) const noexcept {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, index));
  const int n = sqlite3_column_bytes(stmt_, index);
  return p ? std::string_view(p, static_cast<std::size_t>(n)) : std::string_view();
}

int64_t statement::column_int(int index) const noexcept {
  return sqlite3_column_int64(stmt_, index);
}

bool statement::column_is_null(int index) const noexcept {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

int connection::open(const std::string& path) noexcept {
  close();
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (db_) sqlite3_extended_result_codes(db_, 1);
  return rc;
}

void connection::close() noexcept {
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

int connection::exec(const char* sql) noexcept {
  return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
}

std::string connection::query_text(const char* sql, int* rc) {
  statement st;
  int r = st.prepare(db_, sql, false);
  std::string out;
  if (r == SQLITE_OK) {
    r = st.step();
    if (r == SQLITE_ROW) {
      out = st.column_text(0);
      r = SQLITE_OK;
    } else if (r == SQLITE_DONE) {
      r = SQLITE_OK;
    }
  }
  if (rc) *rc = r;
  return out;
}

std::string connection::last_error() const {
  return db_ ? sqlite3_errmsg(db_) : "out of memory";
}

bool connection::in_transaction() const noexcept {
  return db_ && !sqlite3_get_autocommit(db_);
}

}  // namespace edgegw::store::detail
