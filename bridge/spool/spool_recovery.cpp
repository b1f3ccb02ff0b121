// Opening a spool: lock the directory, scan every segment (checksum on every frame, resync
// after damage), rebuild the index from the data records and the newest ack state, trim a
// damaged tail, then start a fresh segment whose first record is the current ack state so
// the old, fully acknowledged segments can go.
#include <algorithm>
#include <cstdio>

#include "bridge/spool/detail/segment_scan.hpp"
#include "bridge/spool/detail/spool_impl.hpp"

namespace edgegw::bridge::detail {

namespace {

std::string describe(const damaged_range& d, const std::string& file) {
  return file + ": " + std::to_string(d.length) + " damaged bytes at offset " +
         std::to_string(d.offset) + " (" + make_error_code(d.why).message() + "), skipped";
}

}  // namespace

std::error_code spool_impl::recover(spool_open_report& report) {
  std::error_code ec;
  std::filesystem::create_directories(opts_.dir, ec);
  if (ec) return ec;
  if ((ec = lock_dir(opts_.dir, lock_))) return ec;

  std::vector<uint32_t> ids;
  for (const auto& de : std::filesystem::directory_iterator(opts_.dir, ec)) {
    if (const uint32_t id = segment_id(de.path().filename().string()); id != 0) ids.push_back(id);
  }
  if (ec) return ec;
  std::sort(ids.begin(), ids.end());

  struct found {
    std::size_t segment;  // index into segments_
    scanned_data rec;
  };
  std::vector<found> data;
  std::optional<ack_record> ack;
  uint64_t max_seq = 0;
  std::string bytes;
  for (const uint32_t id : ids) {
    const std::string name = segment_name(id);
    segment s;
    s.id = id;
    if ((ec = open_file(opts_.dir / name, false, s.file))) return ec;
    if ((ec = read_whole(*s.file, bytes))) return ec;
    const segment_scan scan = scan_segment(bytes, max_seq);
    if (!scan.header_ok)
      report.problems.push_back(name + ": bad segment header, records scanned anyway");
    for (const auto& d : scan.damaged) report.problems.push_back(describe(d, name));
    report.corrupt_records += scan.damaged.size();
    s.size = bytes.size();
    if (!scan.damaged.empty() && scan.good_end < bytes.size() &&
        scan.damaged.back().offset + scan.damaged.back().length == bytes.size()) {
      // A damaged tail (a torn last write): cut it so the file ends on a whole frame.
      if (!truncate_to(*s.file, scan.good_end)) s.size = scan.good_end;
    }
    for (const auto& d : scan.data) {
      data.push_back({segments_.size(), d});
      max_seq = d.seq;
    }
    if (!scan.data.empty()) {
      s.first_seq = scan.data.front().seq;
      s.last_seq = scan.data.back().seq;
    }
    if (scan.last_ack) ack = scan.last_ack;
    segments_.push_back(std::move(s));
  }

  // The newest ack state says what is acknowledged; the data records say what exists.
  const ack_record state = ack.value_or(ack_record{});
  next_seq_ = std::max(state.next_seq, max_seq + 1);
  const auto acked = [&](uint64_t seq) {
    if (seq < state.cursor) return true;
    auto it = std::upper_bound(state.acked.begin(), state.acked.end(), seq,
                               [](uint64_t v, const auto& r) { return v < r.first; });
    return it != state.acked.begin() && seq <= std::prev(it)->second;
  };
  auto first_live =
      std::find_if(data.begin(), data.end(), [&](const found& f) { return !acked(f.rec.seq); });
  cursor_ = first_live == data.end() ? next_seq_ : first_live->rec.seq;
  uint64_t missing = 0, missing_first = 0, missing_last = 0;
  uint64_t seq = cursor_;
  for (auto it = first_live; it != data.end(); ++it) {
    for (; seq < it->rec.seq; ++seq) {  // neither acknowledged nor on disk: lost
      entry gap;
      gap.set(entry_state::lost);
      entries_.push_back(gap);
      if (!acked(seq)) {
        if (missing++ == 0) missing_first = seq;
        missing_last = seq;
      }
    }
    entry e;
    e.append_ms = it->rec.append_ms;
    e.offset = static_cast<uint32_t>(it->rec.offset);
    e.size = it->rec.size;
    e.set(acked(seq) ? entry_state::acked : entry_state::on_disk);
    if (e.live()) {
      ++stats_.depth;
      stats_.bytes += e.size;
    }
    entries_.push_back(e);
    ++seq;
  }
  for (; seq < next_seq_; ++seq) {  // appended but never written before the stop
    entry gap;
    gap.set(entry_state::lost);
    entries_.push_back(gap);
  }
  for (uint64_t s = cursor_ + 1; s < next_seq_; ++s) {
    if (!at(s).live()) add_acked(s);
  }
  advance_cursor();
  if (missing != 0) {
    report.problems.push_back(
        std::to_string(missing) + " unacknowledged records missing from disk (seq " +
        std::to_string(missing_first) + ".." + std::to_string(missing_last) + "), skipped");
  }
  report.recovered = stats_.depth;
  cache_first_ = next_seq_;
  written_seq_ = next_seq_ - 1;

  // A fresh segment starts with the state just rebuilt; then the old segments holding
  // nothing unacknowledged can go.
  segment fresh;
  const uint32_t id = ids.empty() ? 1 : ids.back() + 1;
  if ((ec = create_segment(id, snapshot(next_seq_), fresh))) return ec;
  stats_.bytes_written += fresh.size;
  if (opts_.sync != spool_sync::off) stats_.fsyncs += 2;
  segments_.push_back(std::move(fresh));
  bool removed = false;
  for (auto it = segments_.begin(); it + 1 != segments_.end();) {
    if (it->last_seq < cursor_) {
      std::filesystem::remove(opts_.dir / segment_name(it->id), ec);
      removed = true;
      it = segments_.erase(it);
    } else {
      ++it;
    }
  }
  if (removed && opts_.sync == spool_sync::full && !sync_dir(opts_.dir)) ++stats_.fsyncs;
  return {};
}

}  // namespace edgegw::bridge::detail
