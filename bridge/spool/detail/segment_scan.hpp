// Recovery's view of one segment file: the good frames in it and the damaged byte ranges
// between them. Pure (bytes in, findings out), so damage of every kind can be tested
// without files. After a frame fails to decode, the scan resynchronises on the next offset
// where a whole frame passes its checksum, so good records after a damaged one are kept.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "bridge/spool/detail/record_codec.hpp"

namespace edgegw::bridge::detail {

// Every segment starts with these 8 bytes (format version in the last two).
inline constexpr std::string_view segment_magic = "EGWSPL01";

struct scanned_data {
  uint64_t seq;
  int64_t append_ms;
  uint64_t offset;
  uint32_t size;
};

struct damaged_range {
  uint64_t offset;
  uint64_t length;
  record_errc why;  // how the first frame of the range failed
};

struct segment_scan {
  bool header_ok = false;
  std::vector<scanned_data> data;  // in file order, seqs increasing and > min_seq
  std::optional<ack_record> last_ack;
  std::vector<damaged_range> damaged;
  uint64_t good_end = 0;  // end of the last good frame (or of the header)
};

// `min_seq`: data records must have seqs above it (the previous segments' highest);
// a frame that decodes but breaks the order counts as damage.
segment_scan scan_segment(std::string_view file, uint64_t min_seq);

}  // namespace edgegw::bridge::detail
