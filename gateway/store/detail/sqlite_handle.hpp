// Thin RAII owners of a sqlite3 connection and its prepared statements. They hide the C
// API's manual finalize/close and its int/pointer conventions; errors stay SQLite result
// codes, which the callers turn into store errors with the file's name.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace edgegw::store::detail {

class statement {
 public:
  statement() = default;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement(statement&& o) noexcept : stmt_(o.stmt_), bind_rc_(o.bind_rc_) { o.stmt_ = nullptr; }
  statement& operator=(statement&& o) noexcept;
  ~statement() { finalize(); }

  // `persistent`: the statement is kept for the connection's life (SQLite allocates it
  // apart from the lookaside pool).
  int prepare(sqlite3* db, std::string_view sql, bool persistent);
  void finalize() noexcept;
  bool ready() const noexcept { return stmt_ != nullptr; }

  // Bound text and blobs are not copied: they must outlive step(), and reset() runs
  // before the caller's data goes away. A failed bind is returned by the next step().
  void bind_text(int index, std::string_view s) noexcept;
  void bind_blob(int index, std::string_view b) noexcept;
  void bind_int(int index, int64_t v) noexcept;

  int step() noexcept;  // SQLITE_ROW, SQLITE_DONE or an error
  void reset() noexcept;

  std::string_view column_text(int index) const noexcept;
  std::string_view column_blob(int index) const noexcept;
  int64_t column_int(int index) const noexcept;
  bool column_is_null(int index) const noexcept;

 private:
  void note(int rc) noexcept;

  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = 0;  // SQLITE_OK
};

class connection {
 public:
  connection() = default;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() { close(); }

  int open(const std::string& path) noexcept;  // read-write, create, no shared cache
  // Statements prepared on this connection must be finalized first.
  void close() noexcept;
  bool is_open() const noexcept { return db_ != nullptr; }
  sqlite3* get() const noexcept { return db_; }

  int exec(const char* sql) noexcept;
  // The first column of the first row of `sql` as text ("" if none); rc through `*rc`.
  std::string query_text(const char* sql, int* rc);
  std::string last_error() const;  // sqlite3_errmsg, or the generic text for no db
  bool in_transaction() const noexcept;

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace edgegw::store::detail
