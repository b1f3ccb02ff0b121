// libFuzzer target for the SenML JSON/CBOR and OMA JSON decoders: each gives an entry list
// or a reason, never UB, and the resulting JSON serialises. Decoded SenML re-encoded as
// TLV (when every entry is a resource of one instance) must parse back.
#include <cstdlib>
#include <span>

#include "lwm2m_registry.hpp"
#include "protocols/lwm2m/codec/codec.hpp"

namespace {

void check(const edgegw::lwm2m::result<edgegw::lwm2m::entry_list>& r) {
  using namespace edgegw::lwm2m;
  if (!r) {
    (void)nlohmann::json(r.error().reason).dump();
    return;
  }
  (void)to_json(r.value()).dump();
  if (r.value().empty() || r.value()[0].path.depth < 3) return;
  path inst = r.value()[0].path;
  inst.depth = 2;
  if (auto tlv = encode_tlv(inst, r.value())) {
    if (!tlv_parse(tlv.value())) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgegw::lwm2m;
  const std::span<const uint8_t> in(data, size);
  check(decode_senml_cbor(in, fuzz_objects()));
  check(decode_senml_json(in, fuzz_objects()));
  check(decode_oma_json(in, parse_path("/3/0").value(), fuzz_objects()));
  return 0;
}
