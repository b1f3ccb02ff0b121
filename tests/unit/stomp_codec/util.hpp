// Helpers for the STOMP codec tests: decode a whole string, frame by frame.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/stomp/codec/codec.hpp"

namespace edgegw::stomp::test {

inline std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

struct decoded {
  std::vector<frame> frames;
  std::size_t heartbeats = 0;
  decode_status last = decode_status::need_more;  // what stopped the loop
  std::string error;
  std::size_t rest = 0;  // bytes left unconsumed
};

// Decode `wire` in one go with a fresh decoder.
inline decoded decode_all(std::string_view wire, version v = version::v12, limits l = {}) {
  decoder d(l);
  d.set_version(v);
  decoded out;
  auto in = bytes(wire);
  while (true) {
    frame f;
    auto r = d.decode(in, f);
    out.last = r.status;
    if (r.status == decode_status::frame) {
      out.frames.push_back(std::move(f));
    } else if (r.status == decode_status::heartbeat) {
      ++out.heartbeats;
    } else {
      if (r.error) out.error = r.error;
      break;
    }
    in = in.subspan(r.consumed);
  }
  out.rest = in.size();
  return out;
}

}  // namespace edgegw::stomp::test
