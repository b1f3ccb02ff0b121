// libFuzzer target for the LwM2M client API's query handling: the first byte picks the
// operation (read, write, observe), the rest is a request target; a query that is accepted
// becomes a dn command that the gateway's parser (parse_command) must take or refuse with
// a reason, and whose msgType matches the operation.
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/http_api/lwm2m_query.hpp"
#include "lwm2m_registry.hpp"
#include "protocols/lwm2m/codec/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgegw;
  if (size == 0) return 0;
  static constexpr std::string_view ops[] = {"read", "write", "observe"};
  const std::string_view op = ops[data[0] % 3];
  const std::string_view target(reinterpret_cast<const char*>(data + 1), size - 1);
  auto t = http_api::parse_target(target);
  if (!t) return 0;
  auto cmd = http_api::lwm2m_command(op, *t);
  auto* j = std::get_if<nlohmann::json>(&cmd);
  if (!j) return 0;
  const std::string msg_type = (*j)["msgType"].get<std::string>();
  if (msg_type != op && !(op == "observe" && msg_type == "cancel-observe")) std::abort();
  auto parsed = lwm2m::parse_command(
      j->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), fuzz_objects());
  if (parsed && lwm2m::to_string(parsed.value().type) != msg_type) std::abort();
  if (!parsed && parsed.error().reason.empty()) std::abort();
  return 0;
}
