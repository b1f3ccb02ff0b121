// libFuzzer target for registration parsing: the input's first line is the Uri-Query
// values ('&'-separated), the rest the link-format payload. Whatever parses must give an
// event that serialises (valid UTF-8); the discover split must never lose bytes.
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/lwm2m/codec/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgegw::lwm2m;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nl = in.find('\n');
  const std::string_view head = in.substr(0, nl);
  const std::string_view payload = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  std::vector<std::string> query;
  for (std::size_t start = 0; start <= head.size();) {
    const auto amp = head.find('&', start);
    query.emplace_back(head.substr(start, amp - start));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  (void)decode_links(payload);
  std::size_t total = 0;
  const auto parts = split_links(payload);
  for (const auto& p : parts) total += p.size();
  if (!payload.empty() && total + parts.size() - 1 != payload.size()) std::abort();
  for (bool is_register : {true, false}) {
    auto reg = parse_registration(query, payload, is_register);
    if (!reg) {
      (void)nlohmann::json(reg.error().reason).dump();
      continue;
    }
    registration current = reg.value();
    merge_update(current, reg.value());
    (void)make_registration_event("register", current).dump();
  }
  return 0;
}
