// The fault-injecting VFS shim (see fault_vfs.hpp). Every call is forwarded to the real
// VFS; only the write-like file methods consult the fault plan first.
#include "fault_vfs.hpp"

#include <sqlite3.h>

#include <atomic>
#include <cstring>

namespace edgegw::store::test {

namespace {

struct plan {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> failures{0};
  std::atomic<uint64_t> first{0};  // 0: disarmed; else the first failing call number
  std::atomic<uint64_t> last{0};   // the last failing call number
  std::atomic<int> rc{SQLITE_IOERR_WRITE};
};

plan state;
sqlite3_vfs* real = nullptr;
sqlite3_vfs shim_vfs;

struct shim_file {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* f) {
  return reinterpret_cast<shim_file*>(f)->real;
}

// SQLITE_OK, or the planned failure for this write-like call.
int count_call() {
  const uint64_t n = state.calls.fetch_add(1) + 1;
  const uint64_t first = state.first.load();
  if (first != 0 && n >= first && n <= state.last.load()) {
    state.failures.fetch_add(1);
    return state.rc.load();
  }
  return SQLITE_OK;
}

int x_close(sqlite3_file* f) {
  return real_of(f)->pMethods->xClose(real_of(f));
}
int x_read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return real_of(f)->pMethods->xRead(real_of(f), buf, n, off);
}
int x_write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (int rc = count_call(); rc != SQLITE_OK) return rc;
  return real_of(f)->pMethods->xWrite(real_of(f), buf, n, off);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (int rc = count_call(); rc != SQLITE_OK) return rc;
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int x_sync(sqlite3_file* f, int flags) {
  if (int rc = count_call(); rc != SQLITE_OK) return rc;
  return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
int x_lock(sqlite3_file* f, int l) {
  return real_of(f)->pMethods->xLock(real_of(f), l);
}
int x_unlock(sqlite3_file* f, int l) {
  return real_of(f)->pMethods->xUnlock(real_of(f), l);
}
int x_check_reserved(sqlite3_file* f, int* out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int x_file_control(sqlite3_file* f, int op, void* arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file* f) {
  return real_of(f)->pMethods->xSectorSize(real_of(f));
}
int x_device(sqlite3_file* f) {
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
int x_shm_map(sqlite3_file* f, int pg, int sz, int extend, void volatile** out) {
  return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, extend, out);
}
int x_shm_lock(sqlite3_file* f, int off, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), off, n, flags);
}
void x_shm_barrier(sqlite3_file* f) {
  real_of(f)->pMethods->xShmBarrier(real_of(f));
}
int x_shm_unmap(sqlite3_file* f, int del) {
  return real_of(f)->pMethods->xShmUnmap(real_of(f), del);
}
int x_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return real_of(f)->pMethods->xFetch(real_of(f), off, n, out);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

// One table per io_methods version, so SQLite never calls what the real file lacks.
sqlite3_io_methods make_methods(int version) {
  sqlite3_io_methods m{};
  m.iVersion = version;
  m.xClose = x_close;
  m.xRead = x_read;
  m.xWrite = x_write;
  m.xTruncate = x_truncate;
  m.xSync = x_sync;
  m.xFileSize = x_file_size;
  m.xLock = x_lock;
  m.xUnlock = x_unlock;
  m.xCheckReservedLock = x_check_reserved;
  m.xFileControl = x_file_control;
  m.xSectorSize = x_sector_size;
  m.xDeviceCharacteristics = x_device;
  if (version >= 2) {
    m.xShmMap = x_shm_map;
    m.xShmLock = x_shm_lock;
    m.xShmBarrier = x_shm_barrier;
    m.xShmUnmap = x_shm_unmap;
  }
  if (version >= 3) {
    m.xFetch = x_fetch;
    m.xUnfetch = x_unfetch;
  }
  return m;
}
const sqlite3_io_methods methods_v[3] = {make_methods(1), make_methods(2), make_methods(3)};

int v_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* s = reinterpret_cast<shim_file*>(f);
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  s->real->pMethods = nullptr;
  const int rc = real->xOpen(real, name, s->real, flags, out_flags);
  if (s->real->pMethods) {
    const int v = s->real->pMethods->iVersion;
    s->base.pMethods = &methods_v[(v < 1 ? 1 : v > 3 ? 3 : v) - 1];
  } else {
    s->base.pMethods = nullptr;
  }
  return rc;
}
int v_delete(sqlite3_vfs*, const char* name, int sync) {
  return real->xDelete(real, name, sync);
}
int v_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real->xAccess(real, name, flags, out);
}
int v_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return real->xFullPathname(real, name, n, out);
}
void* v_dl_open(sqlite3_vfs*, const char* name) {
  return real->xDlOpen(real, name);
}
void v_dl_error(sqlite3_vfs*, int n, char* msg) {
  real->xDlError(real, n, msg);
}
void (*v_dl_sym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return real->xDlSym(real, h, sym);
}
void v_dl_close(sqlite3_vfs*, void* h) {
  real->xDlClose(real, h);
}
int v_randomness(sqlite3_vfs*, int n, char* out) {
  return real->xRandomness(real, n, out);
}
int v_sleep(sqlite3_vfs*, int us) {
  return real->xSleep(real, us);
}
int v_current_time(sqlite3_vfs*, double* out) {
  return real->xCurrentTime(real, out);
}
int v_last_error(sqlite3_vfs*, int n, char* out) {
  return real->xGetLastError(real, n, out);
}
int v_current_time64(sqlite3_vfs*, sqlite3_int64* out) {
  return real->xCurrentTimeInt64(real, out);
}

}  // namespace

fault_vfs::fault_vfs() {
  sqlite3_initialize();
  previous_ = sqlite3_vfs_find(nullptr);
  real = previous_;
  std::memset(&shim_vfs, 0, sizeof shim_vfs);
  shim_vfs.iVersion = 2;
  shim_vfs.szOsFile = static_cast<int>(sizeof(shim_file)) + real->szOsFile;
  shim_vfs.mxPathname = real->mxPathname;
  shim_vfs.zName = "edgegw_fault";
  shim_vfs.xOpen = v_open;
  shim_vfs.xDelete = v_delete;
  shim_vfs.xAccess = v_access;
  shim_vfs.xFullPathname = v_full_pathname;
  shim_vfs.xDlOpen = v_dl_open;
  shim_vfs.xDlError = v_dl_error;
  shim_vfs.xDlSym = v_dl_sym;
  shim_vfs.xDlClose = v_dl_close;
  shim_vfs.xRandomness = v_randomness;
  shim_vfs.xSleep = v_sleep;
  shim_vfs.xCurrentTime = v_current_time;
  shim_vfs.xGetLastError = v_last_error;
  shim_vfs.xCurrentTimeInt64 = v_current_time64;
  disarm();
  state.calls = 0;
  state.failures = 0;
  sqlite3_vfs_register(&shim_vfs, 1);
}

fault_vfs::~fault_vfs() {
  disarm();
  sqlite3_vfs_unregister(&shim_vfs);
  sqlite3_vfs_register(previous_, 1);
}

void fault_vfs::fail_from(uint64_t nth, uint64_t count, int rc) {
  state.rc = rc;
  const uint64_t first = state.calls.load() + nth;
  state.last = count >= forever - first ? forever : first + count - 1;
  state.first = first;
}

void fault_vfs::disarm() {
  state.first = 0;
}

uint64_t fault_vfs::calls() const {
  return state.calls.load();
}
uint64_t fault_vfs::failures() const {
  return state.failures.load();
}

}  // namespace edgegw::store::test
