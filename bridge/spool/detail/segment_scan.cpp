// Segment scan for recovery; see segment_scan.hpp.
#include "bridge/spool/detail/segment_scan.hpp"

namespace edgegw::bridge::detail {

namespace {

// A frame at `pos` that decodes and keeps the seq order; its size, or the error.
result<decoded_record> frame_at(std::string_view file, uint64_t pos, uint64_t last_seq) {
  auto r = decode_record(file.substr(static_cast<std::size_t>(pos)));
  if (!r) return r;
  if (auto* d = std::get_if<data_record>(&r.value().rec); d && d->seq <= last_seq) {
    return record_errc::bad_value;
  }
  return r;
}

}  // namespace

segment_scan scan_segment(std::string_view file, uint64_t min_seq) {
  segment_scan out;
  out.header_ok = file.substr(0, segment_magic.size()) == segment_magic;
  uint64_t pos = std::min<uint64_t>(segment_magic.size(), file.size());
  out.good_end = pos;
  uint64_t last_seq = min_seq;
  while (pos < file.size()) {
    auto r = frame_at(file, pos, last_seq);
    if (!r) {
      const auto why = static_cast<record_errc>(r.error().value());
      uint64_t next = pos + 1;
      while (next < file.size() && !frame_at(file, next, last_seq)) ++next;
      out.damaged.push_back({pos, next - pos, why});
      pos = next;
      continue;
    }
    auto& rec = r.value();
    if (auto* d = std::get_if<data_record>(&rec.rec)) {
      out.data.push_back({d->seq, d->append_ms, pos, static_cast<uint32_t>(rec.size)});
      last_seq = d->seq;
    } else {
      out.last_ack = std::move(std::get<ack_record>(rec.rec));
    }
    pos += rec.size;
    out.good_end = pos;
  }
  return out;
}

}  // namespace edgegw::bridge::detail
