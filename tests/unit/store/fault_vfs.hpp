// A SQLite VFS for tests that wraps the default one and fails write-like calls (xWrite,
// xSync, xTruncate) on demand, Beast fail_count style: "the N-th such call from now, and
// the next K-1, return this error". Registered as the default VFS for its lifetime, so the
// store under test needs no hook of its own. It also counts the calls, which shows whether
// a batch touched the disk at all.
#pragma once
#include <cstdint>
#include <limits>

struct sqlite3_vfs;

namespace edgegw::store::test {

class fault_vfs {
 public:
  static constexpr uint64_t forever = std::numeric_limits<uint64_t>::max();

  fault_vfs();  // registers itself as the default VFS
  fault_vfs(const fault_vfs&) = delete;
  fault_vfs& operator=(const fault_vfs&) = delete;
  ~fault_vfs();  // restores the previous default

  // The `nth` write-like call from now (1 = the next) and the `count - 1` after it fail
  // with `rc` (e.g. SQLITE_FULL, SQLITE_IOERR_WRITE).
  void fail_from(uint64_t nth, uint64_t count, int rc);
  void disarm();

  uint64_t calls() const;     // write-like calls so far
  uint64_t failures() const;  // calls failed so far

 private:
  sqlite3_vfs* previous_ = nullptr;
};

}  // namespace edgegw::store::test
