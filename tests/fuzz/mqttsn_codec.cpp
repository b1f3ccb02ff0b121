// libFuzzer target for the MQTT-SN codec: whatever decodes must encode again (unless it
// is one of the values encode refuses) and decode back to an equal value.
#include <cstdlib>
#include <span>
#include <string>

#include "protocols/mqttsn/codec/codec.hpp"

namespace {

void check(std::span<const uint8_t> in, int depth) {
  using namespace edgegw::mqttsn;
  packet p;
  if (decode(in, p).status != decode_status::ok) return;
  std::string out;
  if (encode(p, out) == 0) return;
  packet q;
  auto r = decode(std::span(reinterpret_cast<const uint8_t*>(out.data()), out.size()), q);
  if (r.status != decode_status::ok || !(p == q)) std::abort();
  if (auto* e = std::get_if<encapsulated>(&p); e && depth == 0)
    check(std::span(reinterpret_cast<const uint8_t*>(e->inner.data()), e->inner.size()), 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check(std::span(data, size), 0);
  return 0;
}
