// The spool's writer thread: group commit. A commit takes every pending record and, if
// acknowledgements changed, one ack record with the whole acknowledgement state, and writes
// them with one write() per segment touched. Records are written as soon as the writer is
// free (what arrives meanwhile forms the next batch); acknowledgements alone wait up to
// flush_interval to be batched. Syncs per the mode:
//   off    never; on_durable after the write (a kill -9 loses nothing, a power cut may);
//   normal on_durable after the write; one fdatasync of everything written at most every
//          flush_interval, and before a segment is deleted or a flush() returns (a power
//          cut may lose what was written since the last sync);
//   full   every commit syncs before its on_durable.
// A segment is deleted only once an ack state showing all its records acknowledged is
// synced (written, with off) in a later segment, so a restart never resurrects acked
// records and never loses the seq high-water mark.
#include <algorithm>

#include "bridge/spool/detail/segment_scan.hpp"
#include "bridge/spool/detail/spool_impl.hpp"
#include "gateway/api/log.hpp"

namespace edgegw::bridge::detail {

namespace {
constexpr auto retry_after = std::chrono::seconds(1);
}  // namespace

spool_impl::~spool_impl() {
  if (writer_.joinable()) {
    {
      std::lock_guard lk(mu_);
      stop_ = true;
    }
    work_cv_.notify_one();
    writer_.join();
  }
}

void spool_impl::start() {
  last_sync_ = std::chrono::steady_clock::now();  // recovery synced the new segment
  writer_ = std::thread([this] { run(); });
}

void spool_impl::run() {
  using clock = std::chrono::steady_clock;
  std::unique_lock lk(mu_);
  for (;;) {
    const auto now = clock::now();
    const bool urgent = stop_ || flush_ticket_ > done_ticket_;
    const bool acks_due = ack_dirty_ && now >= ack_since_ + opts_.flush_interval;
    const bool sync_due = !unsynced_.empty() && now >= last_sync_ + opts_.flush_interval;
    if (urgent || !pending_.empty() || acks_due || sync_due) {
      if (!commit(lk)) {
        if (stop_) break;  // the error is logged; what was durable stays durable
        work_cv_.wait_for(lk, retry_after);
        continue;
      }
      if (stop_ && pending_.empty() && !ack_dirty_ && unsynced_.empty()) break;
      continue;
    }
    auto wake = clock::time_point::max();
    if (ack_dirty_) wake = ack_since_ + opts_.flush_interval;
    if (!unsynced_.empty()) wake = std::min(wake, last_sync_ + opts_.flush_interval);
    writer_idle_ = true;
    if (wake == clock::time_point::max()) {
      work_cv_.wait(lk);
    } else {
      work_cv_.wait_until(lk, wake);
    }
    writer_idle_ = false;
  }
  // Wake any flush() still waiting: nothing more will be committed.
  done_ticket_ = flush_ticket_;
  done_cv_.notify_all();
}

std::error_code spool_impl::create_segment(uint32_t id, const ack_record& state, segment& out) {
  out = segment{};
  out.id = id;
  const auto path = opts_.dir / segment_name(id);
  if (auto ec = open_file(path, true, out.file)) return ec;
  std::string head(segment_magic);
  encode_ack(head, state);
  if (auto ec = write_all(*out.file, head)) return ec;
  out.size = head.size();
  if (opts_.sync != spool_sync::off) {
    if (auto ec = data_sync(*out.file)) return ec;
    if (auto ec = sync_dir(opts_.dir)) return ec;
  }
  return {};
}

bool spool_impl::commit(std::unique_lock<std::mutex>& lk) {
  std::vector<pending_record> batch;
  batch.swap(pending_);
  const bool acks = ack_dirty_;
  ack_dirty_ = false;
  const uint64_t ticket = flush_ticket_;
  const bool urgent = stop_ || ticket > done_ticket_;
  const ack_record state = snapshot(next_seq_);
  // Would the state written now let a segment go? Then it must be synced.
  bool frees = false;
  for (std::size_t i = 0; i + 1 < segments_.size(); ++i) {
    frees = frees || segments_[i].last_seq < state.cursor;
  }
  // touched[0] is the segment being written; a batch that fills it rolls to new ones.
  std::vector<segment> touched{segments_.back()};
  const uint64_t start_size = touched[0].size;
  lk.unlock();

  std::vector<uint32_t> offsets;
  offsets.reserve(batch.size());
  std::vector<file_ptr> to_sync;
  std::string buf;
  uint64_t written = 0;
  std::error_code ec;
  for (const auto& r : batch) {
    segment* cur = &touched.back();
    const std::size_t size = data_record_size(r.seq, r.append_ms, *r.msg);
    if (cur->last_seq != 0 && cur->size + buf.size() + size > opts_.segment_bytes) {
      if ((ec = write_all(*cur->file, buf))) break;
      cur->size += buf.size();
      written += buf.size();
      buf.clear();
      to_sync.push_back(cur->file);
      segment next;
      if ((ec = create_segment(cur->id + 1, state, next))) break;
      written += next.size;
      touched.push_back(std::move(next));
      cur = &touched.back();
    }
    offsets.push_back(static_cast<uint32_t>(cur->size + buf.size()));
    encode_data(buf, r.seq, r.append_ms, *r.msg);
    if (cur->first_seq == 0) cur->first_seq = r.seq;
    cur->last_seq = r.seq;
  }
  const std::size_t rolled = touched.size() - 1;
  if (!ec && acks && rolled == 0) encode_ack(buf, state);
  if (!ec && !buf.empty()) {
    ec = write_all(*touched.back().file, buf);
    if (!ec) {
      touched.back().size += buf.size();
      written += buf.size();
      to_sync.push_back(touched.back().file);
    }
  }
  // Sync? full: every commit, before on_durable. normal: when due, asked for (flush, stop)
  // or before a segment may go, after on_durable (written is durable enough for normal).
  const auto now = std::chrono::steady_clock::now();
  const bool full = opts_.sync == spool_sync::full;
  const bool want_sync = full || (opts_.sync == spool_sync::normal &&
                                  (frees || urgent || now >= last_sync_ + opts_.flush_interval));
  uint64_t syncs = opts_.sync == spool_sync::off ? 0 : 2 * rolled;  // file + dir each
  if (!ec && opts_.sync != spool_sync::off) {
    to_sync.insert(to_sync.end(), unsynced_.begin(), unsynced_.end());
    std::sort(to_sync.begin(), to_sync.end());
    to_sync.erase(std::unique(to_sync.begin(), to_sync.end()), to_sync.end());
  }
  const auto sync_all = [&]() -> std::error_code {
    for (const auto& f : to_sync) {
      if (auto e = data_sync(*f)) return e;
      ++syncs;
    }
    unsynced_.clear();
    last_sync_ = now;
    return {};
  };
  if (!ec && full) ec = sync_all();

  lk.lock();
  if (ec) {
    // Undo: the active segment back to its size, new segments removed, the batch pending
    // again in front of anything appended since.
    log::get("bridge")->error("spool_write_failed dir={} records={} error=\"{}\" retry_in_ms={}",
                              opts_.dir.string(), batch.size(), ec.message(),
                              std::chrono::milliseconds(retry_after).count());
    (void)truncate_to(*touched[0].file, start_size);
    for (std::size_t i = 1; i < touched.size(); ++i) {
      std::error_code ignored;
      std::filesystem::remove(opts_.dir / segment_name(touched[i].id), ignored);
    }
    std::error_code ignored;  // a segment whose creation failed half-way, if any
    std::filesystem::remove(opts_.dir / segment_name(touched.back().id + 1), ignored);
    batch.insert(batch.end(), std::make_move_iterator(pending_.begin()),
                 std::make_move_iterator(pending_.end()));
    pending_ = std::move(batch);
    ack_dirty_ = ack_dirty_ || acks;
    return false;
  }
  stats_.bytes_written += written;
  segments_.back() = std::move(touched[0]);
  for (std::size_t i = 1; i < touched.size(); ++i) segments_.push_back(std::move(touched[i]));
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const uint64_t seq = batch[i].seq;
    if (seq < cursor_) continue;
    entry& e = at(seq);
    e.offset = offsets[i];
    if (e.state() == entry_state::pending) e.set(entry_state::on_disk);
  }
  if (!batch.empty()) written_seq_ = batch.back().seq;
  trim_cache();
  lk.unlock();

  for (auto& r : batch) {
    if (r.on_durable) r.on_durable();
  }
  batch.clear();  // drop the messages without the lock held
  bool synced = full;
  if (opts_.sync == spool_sync::normal) {
    if (!want_sync) {
      unsynced_ = std::move(to_sync);
    } else if (auto e = sync_all()) {
      // Already reported durable (written): keep the files for the next try.
      unsynced_ = std::move(to_sync);
      log::get("bridge")->error("spool_sync_failed dir={} error=\"{}\" retry_in_ms={}",
                                opts_.dir.string(), e.message(), opts_.flush_interval.count());
    } else {
      synced = true;
    }
  }

  lk.lock();
  stats_.fsyncs += syncs;
  // The ack state written now lets acknowledged segments go once it is on disk.
  std::vector<uint32_t> gone;
  if ((acks || rolled != 0) && (synced || opts_.sync == spool_sync::off)) {
    while (segments_.size() > 1 && segments_.front().last_seq < state.cursor) {
      gone.push_back(segments_.front().id);
      segments_.pop_front();
    }
  }
  lk.unlock();
  for (uint32_t id : gone) {
    std::error_code rm;
    std::filesystem::remove(opts_.dir / segment_name(id), rm);
    if (rm) {
      log::get("bridge")->warn("spool_remove_failed dir={} segment={} error=\"{}\"",
                               opts_.dir.string(), segment_name(id), rm.message());
    }
  }
  const bool dir_synced = !gone.empty() && full && !sync_dir(opts_.dir);
  lk.lock();
  if (dir_synced) ++stats_.fsyncs;
  // flush() returns only now: records durable, callbacks run, acknowledged segments gone.
  done_ticket_ = std::max(done_ticket_, ticket);
  done_cv_.notify_all();
  return true;
}

}  // namespace edgegw::bridge::detail
