// The management API's own parsing of outside bytes: the request target (path segments,
// query, %-escapes), paging, the Authorization header and base64 (publish payloads).
// Beast parses the HTTP framing itself. Checks: no crash, and base64 round-trips.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/http_api/request_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgegw::http_api;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto t = parse_target(in)) {
    std::string err;
    (void)parse_paging(*t, &err);
    (void)t->param("clientid");
  }
  (void)parse_basic_auth(in);
  if (auto raw = base64_decode(in)) {
    auto again = base64_decode(base64_encode(*raw));
    if (!again || *again != *raw) std::abort();
  }
  if (base64_decode(base64_encode(in)) != std::string(in)) std::abort();
  return 0;
}
