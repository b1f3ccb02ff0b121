// Writes the fuzz seed corpus: one file per sample packet and version, plus one whole
// session per version. Run: mqtt_codec_make_corpus tests/fuzz/corpus/mqtt_codec
#include <cstdio>
#include <fstream>
#include <string>

#include "protocols/mqtt/codec/codec.hpp"
#include "sample_packets.hpp"

int main(int argc, char** argv) {
  using namespace edgegw::mqtt;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  int written = 0;
  for (auto [ver, prefix] : {std::pair{version::v31, "v31_"}, std::pair{version::v311, "v311_"},
                             std::pair{version::v5, "v5_"}}) {
    std::string session;
    for (const auto& s : test::sample_packets(ver)) {
      std::string wire;
      if (encode(s.value, ver, wire) == 0) {
        std::fprintf(stderr, "cannot encode %s%s\n", prefix, s.name.c_str());
        return 1;
      }
      session += wire;
      // v3.1 shares all but CONNECT with v3.1.1: keep its seeds few.
      if (ver == version::v31 && s.name.rfind("connect", 0) != 0 && s.name != "subscribe") {
        continue;
      }
      std::ofstream(dir + "/" + prefix + s.name + ".bin", std::ios::binary) << wire;
      ++written;
    }
    std::ofstream(dir + "/" + prefix + "session.bin", std::ios::binary) << session;
    ++written;
  }
  std::printf("%d seeds written to %s\n", written, dir.c_str());
  return 0;
}
