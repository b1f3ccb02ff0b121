// libFuzzer target for the STOMP codec. Each input is a byte stream decoded as 1.0, 1.1
// and 1.2, frame after frame, in one piece and split in two at a point taken from the
// first byte. Both ways must agree; a need_more consumes nothing; errors carry a text;
// limits hold; and every decoded 1.1/1.2 frame (1.1: without a CR in its headers) re-encodes to
// bytes that decode back equal.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "protocols/stomp/codec/codec.hpp"

namespace {

using namespace edgegw::stomp;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "stomp_codec fuzz check failed: %s\n", what);
    std::abort();
  }
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

struct outcome {
  std::vector<frame> frames;
  decode_status last = decode_status::need_more;
};

outcome run(std::span<const uint8_t> data, version v, limits l, std::size_t split) {
  decoder d(l);
  d.set_version(v);
  outcome out;
  std::string buf;
  std::size_t pos = 0;
  for (std::size_t cut : {split, data.size()}) {
    if (cut < pos) continue;
    buf.append(reinterpret_cast<const char*>(data.data()) + pos, cut - pos);
    pos = cut;
    while (true) {
      frame f;
      auto r = d.decode(as_bytes(buf), f);
      out.last = r.status;
      if (r.status == decode_status::need_more) {
        require(r.consumed == 0, "need_more consumed bytes");
        break;
      }
      if (r.status == decode_status::malformed || r.status == decode_status::too_large) {
        require(r.error != nullptr, "error without text");
        return out;
      }
      require(r.consumed > 0 && r.consumed <= buf.size(), "consumed out of range");
      if (r.status == decode_status::frame) {
        require(r.consumed <= l.max_frame_size, "frame over max_frame_size");
        require(f.body.size() <= l.max_body, "body over max_body");
        require(f.headers.size() <= l.max_headers, "more headers than max_headers");
        out.frames.push_back(std::move(f));
      }
      buf.erase(0, r.consumed);
    }
  }
  return out;
}

void check_round_trip(const frame& f, version v) {
  if (v == version::v10) return;  // 1.0 trims and cannot carry every byte
  if (v == version::v11) {        // 1.1 has no escape for CR: a raw one is sent as a blank
    for (const auto& h : f.headers)
      if (h.name.find('\r') != std::string::npos || h.value.find('\r') != std::string::npos) return;
  }
  std::string wire;
  encode(f, v, wire, true);
  decoder d(limits{1 << 30, 1 << 20, 1 << 30, 1 << 30});
  d.set_version(v);
  frame back;
  auto r = d.decode(as_bytes(wire), back);
  require(r.status == decode_status::frame && r.consumed == wire.size(), "re-encoded frame");
  // The encoder may add content-length; everything else must come back unchanged.
  if (back.headers.size() == f.headers.size() + 1) back.headers.pop_back();
  require(back.command == f.command && back.body == f.body, "round trip body/command");
  if (!unescaped_command(f.command)) require(back.headers == f.headers, "round trip headers");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> in(data, size);
  const std::size_t split = size ? data[0] % (size + 1) : 0;
  for (auto v : {version::v10, version::v11, version::v12}) {
    for (const limits& l : {limits{}, limits{128, 4, 32, 64}}) {
      auto whole = run(in, v, l, size);
      auto parts = run(in, v, l, split);
      require(whole.frames == parts.frames && whole.last == parts.last, "split changed result");
      for (const auto& f : whole.frames) check_round_trip(f, v);
    }
  }
  return 0;
}
