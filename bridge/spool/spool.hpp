// The bridge's durable spool: an append-only, segmented, checksummed log of the messages a
// bridge forwards upstream, kept until the remote broker acknowledges them (SPEC section 9).
// Appends are cheap and never block on disk; one writer thread commits them in groups (one
// write and at most one fsync per batch) together with a compact acknowledgement state, so
// a restart after kill -9 (or a power loss, per `sync`) finds every record that was
// reported durable and not yet acknowledged. The on-disk format is in docs/SPOOL.md.
//
// Thread-safe: every member may be called from any thread; on_durable and on_append
// callbacks run without the spool's lock held.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/api/message.hpp"
#include "gateway/api/result.hpp"

namespace edgegw::bridge {

enum class overflow_policy : uint8_t { drop_oldest, drop_newest };
enum class spool_sync : uint8_t { off, normal, full };  // as persistence.sync

struct spool_options {
  std::filesystem::path dir;          // node.data_dir/bridge/<name>, created if missing
  uint64_t max_bytes = 256ull << 20;  // bridge.NAME.spool_max_bytes
  uint64_t max_messages = 1'000'000;  // bridge.NAME.spool_max_messages
  overflow_policy overflow = overflow_policy::drop_oldest;
  spool_sync sync = spool_sync::normal;          // off: no fsync; normal: fsync per group commit;
                                                 // full: fsync before every on_durable
  std::chrono::milliseconds flush_interval{20};  // longest wait to batch a group commit
  uint64_t segment_bytes = 8ull << 20;
  // Topic and payload bytes of the newest records kept in memory, so a bridge that keeps
  // up never reads back from disk (records not yet written are always kept).
  std::size_t cache_bytes = 4u << 20;
};

struct spool_entry {
  uint64_t seq;
  message_ptr msg;  // topic as sent upstream
};

struct spool_stats {
  uint64_t depth = 0, bytes = 0;  // unacknowledged records and their bytes
  int64_t oldest_ms = 0;          // wall-clock ms of the oldest unacked append, 0 if none
  uint64_t appended = 0, acked = 0, dropped = 0;
  uint64_t fsyncs = 0, bytes_written = 0;  // to storage, all files, since open
};

struct spool_open_report {
  uint64_t recovered = 0;             // unacked records found on disk
  uint64_t corrupt_records = 0;       // bad checksum / truncated, skipped
  std::vector<std::string> problems;  // one line each, for the log
};

namespace detail {
class spool_impl;
}

class spool {
 public:
  // Recovers what is on disk (checksums on every record; a corrupt or truncated tail or
  // record is reported and skipped, the good part kept). Fails only when the directory
  // cannot be used at all.
  static result<std::unique_ptr<spool>> open(spool_options opts, spool_open_report* report);
  ~spool();  // flushes, then stops the writer thread
  spool(const spool&) = delete;
  spool& operator=(const spool&) = delete;

  // Thread-safe, never blocks on disk. Returns the record's seq (strictly increasing,
  // survives restarts), or 0 when drop_newest refused it (counted). on_durable runs once,
  // from the writer thread, when the record is on disk per the sync mode (at once, on the
  // caller's thread, for a refused record). drop_oldest evicts the oldest unacked records.
  uint64_t append(message_ptr msg, std::function<void()> on_durable);
  // Appends up to `max` UNACKNOWLEDGED entries with seq > after, in seq order.
  std::size_t read(uint64_t after, std::vector<spool_entry>& out, std::size_t max);
  // The upstream acknowledged `seq` (acks may come in any order; unknown seqs ignored).
  void ack(uint64_t seq);
  // Runs (from any thread) after append() made new entries readable. Set before use.
  void set_on_append(std::function<void()> fn);
  void flush();  // blocks until all appended records are durable
  spool_stats stats() const;

 private:
  explicit spool(std::unique_ptr<detail::spool_impl> impl);
  std::unique_ptr<detail::spool_impl> impl_;
};

}  // namespace edgegw::bridge
