// Fuzzes block1_assembly with block sequences from the input: each 6-byte record is one
// block (client, URI, number, flags: More, Size1, expire, forget, SZX; length; time step);
// checks the accounting and the limits after every step.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>

#include "protocols/coap/gateway/block1_assembly.hpp"

using namespace edgegw::coap;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  block1_limits l;
  l.max_body = 1000;
  l.max_total = 2500;
  l.max_per_client = 2;
  l.lifetime = std::chrono::seconds(5);
  block1_assembly a(l);
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  static const std::string uris[] = {"a", "b", "c"};
  const std::string fill(1024, 'x');
  for (size_t i = 0; i + 6 <= size; i += 6) {
    const uint8_t* r = data + i;
    uint64_t client = r[0] % 4;
    const std::string& uri = uris[r[1] % 3];
    block1_option b{r[2] % 80u, (r[3] & 0x80) != 0, static_cast<uint8_t>(r[3] & 7)};
    // High bit: a full block (what More needs); otherwise a short or odd length.
    std::size_t len = (r[4] & 0x80) ? std::min<std::size_t>(1024, std::size_t(16) << (r[3] & 7))
                                    : (r[4] & 0x7f) * 5u;
    std::optional<std::size_t> size1;
    if (r[3] & 0x40) size1 = r[4] * 10u;
    now += std::chrono::milliseconds(r[5] * 40);
    if (r[3] & 0x20) a.expire(now);
    if ((r[3] & 0x18) == 0x18) a.forget(client);
    auto out = a.add(client, uri, b, std::string_view(fill).substr(0, len), size1, now);
    if (out.st == block1_assembly::status::complete && out.body.size() > l.max_body) abort();
    if (a.bytes() > l.max_total) abort();
    if (a.uploads() > 4 * l.max_per_client) abort();
  }
  a.expire(now + std::chrono::seconds(6));
  if (a.uploads() != 0 || a.bytes() != 0) abort();
  return 0;
}
