// libFuzzer target for the bridge spool's record decoder and the recovery scan that runs it
// over whole segment files read from disk. Nothing may crash or read out of bounds; a frame
// that decodes must re-encode to exactly its bytes (the format is canonical); the scan's
// findings must lie inside the input. Random bytes rarely pass the checksum, so each input
// is also tried as a body inside a correct frame, which takes mutations into the parser.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bridge/spool/detail/record_codec.hpp"
#include "bridge/spool/detail/segment_scan.hpp"

namespace {

using namespace edgegw::bridge;

void check(std::string_view in) {
  auto r = decode_record(in);
  if (!r) return;
  const auto& d = r.value();
  if (d.size == 0 || d.size > in.size()) std::abort();
  std::string again;
  if (const auto* data = std::get_if<data_record>(&d.rec)) {
    encode_data(again, data->seq, data->append_ms, data->msg);
    if (data_record_size(data->seq, data->append_ms, data->msg) != again.size()) std::abort();
  } else {
    encode_ack(again, std::get<ack_record>(d.rec));
  }
  if (again != in.substr(0, d.size)) std::abort();
}

std::string sealed(std::string_view body) {
  std::string covered;
  uint64_t n = body.size();
  while (n >= 0x80) {
    covered.push_back(static_cast<char>((n & 0x7F) | 0x80));
    n >>= 7;
  }
  covered.push_back(static_cast<char>(n));
  covered.append(body);
  const uint32_t c = crc32c(covered);
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((c >> (8 * i)) & 0xFF));
  return out + covered;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check(in);
  if (!in.empty()) check(sealed(in));
  const auto scan = detail::scan_segment(in, 0);
  uint64_t last = 0;
  for (const auto& d : scan.data) {
    if (d.offset + d.size > in.size() || d.seq <= last) std::abort();
    last = d.seq;
  }
  for (const auto& g : scan.damaged) {
    if (g.length == 0 || g.offset + g.length > in.size()) std::abort();
  }
  if (scan.good_end > in.size()) std::abort();
  return 0;
}
