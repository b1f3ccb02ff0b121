// The spool's callers' side: append (with the overflow policy), read, ack, stats. Records
// are held in memory only as a 16-byte index entry plus, for the newest ones, the message;
// the writer thread (spool_writer.cpp) puts them on disk.
#include "bridge/spool/spool.hpp"

#include <algorithm>

#include "bridge/spool/detail/spool_impl.hpp"
#include "gateway/api/log.hpp"

namespace edgegw::bridge {

namespace detail {

namespace {
std::size_t cost(const message& m) noexcept {
  return m.topic.size() + m.payload.size();
}
}  // namespace

void spool_impl::settle(uint64_t seq, entry& e, entry_state to) {
  if (!e.live()) return;
  stats_.depth -= 1;
  stats_.bytes -= e.size;
  e.set(to);
  if (seq != cursor_) add_acked(seq);  // else advance_cursor() follows
}

void spool_impl::add_acked(uint64_t seq) {
  // Merge into the acknowledged ranges above the cursor.
  uint64_t first = seq, last = seq;
  auto it = acked_ranges_.upper_bound(seq);
  if (it != acked_ranges_.end() && it->first == seq + 1) {
    last = it->second;
    it = acked_ranges_.erase(it);
  }
  if (it != acked_ranges_.begin()) {
    auto p = std::prev(it);
    if (p->second + 1 == seq) {
      first = p->first;
      acked_ranges_.erase(p);
    }
  }
  acked_ranges_.emplace(first, last);
}

void spool_impl::advance_cursor() {
  while (!entries_.empty() && !entries_.front().live()) {
    entries_.pop_front();
    ++cursor_;
  }
  while (!acked_ranges_.empty() && acked_ranges_.begin()->first < cursor_) {
    acked_ranges_.erase(acked_ranges_.begin());
  }
  trim_cache();
}

void spool_impl::trim_cache() {
  while (!cache_.empty() && (cache_first_ < cursor_ ||
                             (cache_bytes_ > opts_.cache_bytes && cache_first_ <= written_seq_))) {
    if (cache_.front()) cache_bytes_ -= cost(*cache_.front());
    cache_.pop_front();
    ++cache_first_;
  }
}

ack_record spool_impl::snapshot(uint64_t next_limit) const {
  ack_record a;
  a.next_seq = next_limit;
  a.cursor = std::min(cursor_, next_limit);
  for (const auto& [first, last] : acked_ranges_) {
    if (first >= next_limit) break;
    a.acked.emplace_back(first, std::min(last, next_limit - 1));
  }
  return a;
}

const segment* spool_impl::segment_of(uint64_t seq) const {
  for (const auto& s : segments_) {
    if (s.last_seq != 0 && s.first_seq <= seq && seq <= s.last_seq) return &s;
  }
  return nullptr;
}

uint64_t spool_impl::append(message_ptr msg, std::function<void()> on_durable) {
  const int64_t now = unix_ms_now();
  std::unique_lock lk(mu_);
  const uint64_t seq = next_seq_;
  const std::size_t size = data_record_size(seq, now, *msg);
  const auto over = [&] {
    return stats_.depth + 1 > opts_.max_messages || stats_.bytes + size > opts_.max_bytes;
  };
  uint64_t dropped = 0;
  // A record recovery could not read back (larger than any MQTT message) is refused too.
  if (over() || size > max_record_body) {
    if (opts_.overflow == overflow_policy::drop_newest || size > opts_.max_bytes ||
        size > max_record_body || opts_.max_messages == 0) {
      ++stats_.dropped;
      ++drops_unlogged_;
      log_drops(lk);  // unlocks
      if (on_durable) on_durable();
      return 0;
    }
    while (over() && !entries_.empty()) {
      settle(cursor_, entries_.front(), entry_state::acked);
      advance_cursor();
      ++dropped;
    }
    stats_.dropped += dropped;
    drops_unlogged_ += dropped;
    ack_dirty_ = true;
  }
  ++next_seq_;
  entry e;
  e.append_ms = now;
  e.size = static_cast<uint32_t>(size);
  entries_.push_back(e);
  ++stats_.depth;
  stats_.bytes += size;
  ++stats_.appended;
  cache_bytes_ += cost(*msg);
  cache_.push_back(msg);
  pending_.push_back({seq, now, std::move(msg), std::move(on_durable)});
  const bool wake = writer_idle_;  // else it is writing, and takes this batch next
  if (dropped != 0) {
    log_drops(lk);
  } else {
    lk.unlock();
  }
  if (wake) work_cv_.notify_one();
  if (on_append_) on_append_();
  return seq;
}

void spool_impl::log_drops(std::unique_lock<std::mutex>& lk) {
  // One line at the first drop, then at most one a second with the count since.
  const int64_t now = unix_ms_now();
  uint64_t n = 0, total = 0;
  if (now - drop_logged_ms_ >= 1000) {
    n = drops_unlogged_;
    total = stats_.dropped;
    drops_unlogged_ = 0;
    drop_logged_ms_ = now;
  }
  const uint64_t depth = stats_.depth;
  lk.unlock();
  if (n == 0) return;
  log::get("bridge")->warn(
      "spool_overflow dir={} policy={} dropped={} dropped_total={} depth={} max_messages={} "
      "max_bytes={}",
      opts_.dir.string(),
      opts_.overflow == overflow_policy::drop_oldest ? "drop_oldest" : "drop_newest", n, total,
      depth, opts_.max_messages, opts_.max_bytes);
}

std::size_t spool_impl::read(uint64_t after, std::vector<spool_entry>& out, std::size_t max) {
  struct job {
    std::size_t index;
    uint64_t seq;
    file_ptr file;
    uint64_t offset;
    uint32_t size;
  };
  std::vector<job> jobs;
  const std::size_t start = out.size();
  {
    std::lock_guard lk(mu_);
    for (uint64_t seq = std::max(after + 1, cursor_); seq < next_seq_ && out.size() - start < max;
         ++seq) {
      const entry& e = at(seq);
      if (!e.live()) continue;
      if (seq >= cache_first_) {
        out.push_back({seq, cache_[static_cast<std::size_t>(seq - cache_first_)]});
        continue;
      }
      const segment* s = segment_of(seq);
      if (s == nullptr || e.state() != entry_state::on_disk) continue;
      jobs.push_back({out.size(), seq, s->file, e.offset, e.size});
      out.push_back({seq, nullptr});
    }
  }
  // Contiguous records of one file are read with one pread.
  std::vector<uint64_t> failed;
  std::string buf;
  for (std::size_t i = 0; i < jobs.size();) {
    std::size_t j = i + 1;
    uint64_t len = jobs[i].size;
    while (j < jobs.size() && jobs[j].file == jobs[i].file &&
           jobs[j].offset == jobs[i].offset + len && len < (1u << 20)) {
      len += jobs[j].size;
      ++j;
    }
    const auto ec = pread_all(*jobs[i].file, jobs[i].offset, static_cast<std::size_t>(len), buf);
    for (std::size_t k = i; k < j; ++k) {
      std::error_code why = ec;
      if (!ec) {
        auto r = decode_record(std::string_view(buf).substr(
            static_cast<std::size_t>(jobs[k].offset - jobs[i].offset), jobs[k].size));
        auto* d = r ? std::get_if<data_record>(&r.value().rec) : nullptr;
        if (d != nullptr && d->seq == jobs[k].seq) {
          out[jobs[k].index].msg = make_message(std::move(d->msg));
          continue;
        }
        why = r ? make_error_code(record_errc::bad_value) : r.error();
      }
      log::get("bridge")->error("spool_read_failed dir={} seq={} error=\"{}\"", opts_.dir.string(),
                                jobs[k].seq, why.message());
      failed.push_back(jobs[k].seq);
    }
    i = j;
  }
  if (!failed.empty()) {
    std::lock_guard lk(mu_);
    for (uint64_t seq : failed) {
      if (seq >= cursor_ && seq < next_seq_) settle(seq, at(seq), entry_state::lost);
    }
    advance_cursor();
    ack_dirty_ = true;
    out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(),
                             [](const spool_entry& e) { return !e.msg; }),
              out.end());
  }
  return out.size() - start;
}

void spool_impl::ack(uint64_t seq) {
  std::unique_lock lk(mu_);
  if (seq < cursor_ || seq >= next_seq_) return;
  entry& e = at(seq);
  if (!e.live()) return;
  settle(seq, e, entry_state::acked);
  ++stats_.acked;
  if (seq == cursor_) advance_cursor();
  if (!ack_dirty_) ack_since_ = std::chrono::steady_clock::now();
  ack_dirty_ = true;
  const bool wake = writer_idle_;
  lk.unlock();
  if (wake) work_cv_.notify_one();
}

void spool_impl::set_on_append(std::function<void()> fn) {
  std::lock_guard lk(mu_);
  on_append_ = std::move(fn);
}

void spool_impl::flush() {
  std::unique_lock lk(mu_);
  const uint64_t ticket = ++flush_ticket_;
  work_cv_.notify_one();
  done_cv_.wait(lk, [&] { return done_ticket_ >= ticket || !writer_.joinable(); });
}

spool_stats spool_impl::stats() const {
  std::lock_guard lk(mu_);
  spool_stats s = stats_;
  s.oldest_ms = entries_.empty() ? 0 : entries_.front().append_ms;
  return s;
}

}  // namespace detail

spool::spool(std::unique_ptr<detail::spool_impl> impl) : impl_(std::move(impl)) {}
spool::~spool() = default;

result<std::unique_ptr<spool>> spool::open(spool_options opts, spool_open_report* report) {
  spool_open_report scratch;
  // Offsets in the index are 32-bit: keep segments (plus one oversized record) below 4 GiB.
  opts.segment_bytes = std::clamp<uint64_t>(opts.segment_bytes, 4096, 1ull << 30);
  auto impl = std::make_unique<detail::spool_impl>(std::move(opts));
  if (auto ec = impl->recover(report != nullptr ? *report : scratch)) return ec;
  impl->start();
  return std::unique_ptr<spool>(new spool(std::move(impl)));
}

uint64_t spool::append(message_ptr msg, std::function<void()> on_durable) {
  return impl_->append(std::move(msg), std::move(on_durable));
}
std::size_t spool::read(uint64_t after, std::vector<spool_entry>& out, std::size_t max) {
  return impl_->read(after, out, max);
}
void spool::ack(uint64_t seq) {
  impl_->ack(seq);
}
void spool::set_on_append(std::function<void()> fn) {
  impl_->set_on_append(std::move(fn));
}
void spool::flush() {
  impl_->flush();
}
spool_stats spool::stats() const {
  return impl_->stats();
}

}  // namespace edgegw::bridge
