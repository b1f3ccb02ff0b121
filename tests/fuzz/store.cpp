// libFuzzer target for the store's message codec (decode_message reads blobs from disk and,
// later, the bridge spool). It must never crash or read out of bounds, and since the
// format is canonical, whatever it accepts must re-encode to exactly the same bytes.
// Random bytes almost never pass the CRC, so each input is also tried with a correct CRC
// appended, which takes the mutations into the field parser.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "gateway/store/message_codec.hpp"

namespace {

void check(std::string_view in) {
  auto m = edgegw::store::decode_message(in);
  if (m && edgegw::store::encode_message(m.value()) != in) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check(in);
  std::string sealed(in);
  const uint32_t crc = edgegw::store::crc32(in);
  for (int i = 0; i < 4; ++i) sealed.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  check(sealed);
  return 0;
}
