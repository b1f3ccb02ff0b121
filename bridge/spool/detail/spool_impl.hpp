// The spool's state and its three parts: recovery (spool_recovery.cpp), the callers' side
// (spool.cpp: append, read, ack) and the writer thread (spool_writer.cpp).
//
// Owner: everything below `mu_` is guarded by it; the writer thread encodes, writes and
// syncs without it, and callbacks run without it. Seqs are contiguous: entries_ holds one
// entry per seq from cursor_ (the lowest unacknowledged seq) to next_seq_ - 1, 16 bytes
// each; messages live on disk and, for the newest records, in cache_.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "bridge/spool/detail/record_codec.hpp"
#include "bridge/spool/detail/segment_file.hpp"
#include "bridge/spool/spool.hpp"

namespace edgegw::bridge::detail {

enum class entry_state : uint8_t {
  pending,  // appended, not yet written: its message is in cache_
  on_disk,
  acked,  // acknowledged upstream, or evicted by drop_oldest
  lost,   // missing or unreadable on disk
};

struct entry {
  int64_t append_ms = 0;
  uint32_t offset = 0;  // in its segment, once written
  uint32_t size : 30 = 0;
  uint32_t state_bits : 2 = 0;
  entry_state state() const noexcept { return static_cast<entry_state>(state_bits); }
  void set(entry_state s) noexcept { state_bits = static_cast<uint32_t>(s) & 3u; }
  bool live() const noexcept { return state() <= entry_state::on_disk; }
};
static_assert(sizeof(entry) == 16);

struct segment {
  uint32_t id = 0;
  file_ptr file;
  uint64_t size = 0;       // bytes in the file
  uint64_t first_seq = 0;  // data records in it: [first_seq, last_seq]; 0 when none
  uint64_t last_seq = 0;
};

struct pending_record {
  uint64_t seq;
  int64_t append_ms;
  message_ptr msg;
  std::function<void()> on_durable;
};

class spool_impl {
 public:
  explicit spool_impl(spool_options opts) : opts_(std::move(opts)) {}
  ~spool_impl();

  std::error_code recover(spool_open_report& report);  // before start()
  void start();
  uint64_t append(message_ptr msg, std::function<void()> on_durable);
  std::size_t read(uint64_t after, std::vector<spool_entry>& out, std::size_t max);
  void ack(uint64_t seq);
  void set_on_append(std::function<void()> fn);
  void flush();
  spool_stats stats() const;

 private:
  // Callers' side (lock held).
  entry& at(uint64_t seq) { return entries_[static_cast<std::size_t>(seq - cursor_)]; }
  void settle(uint64_t seq, entry& e, entry_state to);  // pending/on_disk -> acked/lost
  void add_acked(uint64_t seq);
  void advance_cursor();
  void trim_cache();
  ack_record snapshot(uint64_t next_limit) const;
  const segment* segment_of(uint64_t seq) const;
  void log_drops(std::unique_lock<std::mutex>& lk);

  // Writer thread.
  void run();
  bool commit(std::unique_lock<std::mutex>& lk);
  std::error_code roll(std::unique_lock<std::mutex>& lk, uint64_t first_seq);
  std::error_code create_segment(uint32_t id, const ack_record& state, segment& out);
  void delete_acked_segments(std::unique_lock<std::mutex>& lk, uint64_t durable_cursor);

  const spool_options opts_;
  file_ptr lock_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;  // writer waits for work
  std::condition_variable done_cv_;  // flush() waits for commits
  uint64_t next_seq_ = 1;
  uint64_t cursor_ = 1;
  std::deque<entry> entries_;
  std::map<uint64_t, uint64_t> acked_ranges_;  // first -> last, all above cursor_
  std::deque<message_ptr> cache_;              // seqs [cache_first_, next_seq_)
  uint64_t cache_first_ = 1;
  std::size_t cache_bytes_ = 0;
  std::vector<pending_record> pending_;
  std::chrono::steady_clock::time_point ack_since_{};  // when acks became unwritten
  // Writer thread only: files written but not synced yet (normal), and the last sync.
  std::vector<file_ptr> unsynced_;
  std::chrono::steady_clock::time_point last_sync_{};
  bool ack_dirty_ = false;
  bool writer_idle_ = false;
  bool stop_ = false;
  uint64_t flush_ticket_ = 0, done_ticket_ = 0;
  std::deque<segment> segments_;  // by id; back() is the one being written
  uint64_t written_seq_ = 0;      // every seq up to this is written (or was never pending)
  std::function<void()> on_append_;
  spool_stats stats_;
  uint64_t drops_unlogged_ = 0;
  int64_t drop_logged_ms_ = 0;

  std::thread writer_;
};

}  // namespace edgegw::bridge::detail
