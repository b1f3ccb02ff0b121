// libFuzzer target for the LwM2M TLV codec: whatever parses must write out and parse back
// to the same tree; decoding at object, instance, resource and resource-instance paths
// must give an entry list or a reason, and its JSON must serialise (valid UTF-8).
#include <cstdlib>
#include <span>

#include "lwm2m_registry.hpp"
#include "protocols/lwm2m/codec/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgegw::lwm2m;
  const std::span<const uint8_t> in(data, size);
  if (auto tree = tlv_parse(in)) {
    std::vector<uint8_t> out;
    tlv_write(tree.value(), out);
    auto again = tlv_parse(out);
    if (!again || !(again.value() == tree.value())) std::abort();
  }
  for (const char* p : {"/3", "/3/0", "/3/0/7", "/3/0/7/1", "/3303/0", "/32769/0/1"}) {
    auto entries = decode_tlv(in, parse_path(p).value(), fuzz_objects());
    if (entries) {
      (void)to_json(entries.value()).dump();
      (void)to_json(entries.value(), opaque_encoding::hex).dump();
    } else {
      (void)nlohmann::json(entries.error().reason).dump();
    }
  }
  return 0;
}
