// One SQLite file holding the broker's durable state: opening it (WAL, exclusive lock,
// schema version check), the start-up integrity check, reading everything back, and
// applying a batch of ops in one transaction with statements prepared once.
// Owner: the store's storage thread; not thread-safe.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/store/detail/sqlite_handle.hpp"
#include "gateway/store/detail/store_ops.hpp"
#include "gateway/store/durable_store.hpp"
#include "gateway/store/store_error.hpp"

namespace spdlog {
class logger;
}

namespace edgegw::store::detail {

// 1: retained, sessions, subscriptions, session_messages, incoming_qos2; 2: + banned.
inline constexpr int64_t schema_version = 2;

struct write_failure {
  int rc = 0;  // SQLite extended result code
  std::string message;
};

class sqlite_database {
 public:
  sqlite_database(std::string path, sync_mode sync, std::shared_ptr<spdlog::logger> log);
  sqlite_database(const sqlite_database&) = delete;
  sqlite_database& operator=(const sqlite_database&) = delete;
  ~sqlite_database();

  // Creates the directory and file if missing, sets the pragmas, checks or creates the
  // schema and prepares the write statements. A no-op when already open. Errors are
  // store_errc errors whose message names the file and the way out.
  std::error_code open();
  void close() noexcept;
  bool is_open() const noexcept { return conn_.is_open(); }

  std::error_code quick_check();
  // Every record; rows that fail to decode are logged, counted in `skipped` and left out.
  result<loaded_state> read_all();

  // Applies `ops` in order in one transaction; on failure nothing of it remains.
  std::optional<write_failure> write(std::vector<op>& ops);

  const std::string& path() const noexcept { return path_; }

 private:
  struct statements;

  std::error_code fail(store_errc kind, const std::string& what) const;
  std::error_code fail_rc(int rc, const std::string& what) const;
  std::error_code check_file() const;
  // fresh: an empty file, to be created; version: the file's schema version otherwise.
  std::error_code check_schema(bool& fresh, int64_t& version);
  std::error_code create_schema();
  std::error_code migrate(int64_t from);
  int apply(op& o);
  int run(statement& st);  // step + reset; SQLITE_OK or the error, message kept
  std::optional<write_failure> abort(int rc);

  std::string path_;
  sync_mode sync_;
  std::shared_ptr<spdlog::logger> log_;
  connection conn_;
  std::unique_ptr<statements> stmts_;  // finalized before conn_ closes
  std::string last_message_;
};

}  // namespace edgegw::store::detail
