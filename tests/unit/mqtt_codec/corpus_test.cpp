// The committed fuzz seeds (tests/fuzz/corpus/mqtt_codec, written by make_fuzz_corpus) are
// valid packet streams: each file decodes completely with the version its name starts with,
// and together they hold every packet type of every version.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "codec_test_util.hpp"

namespace edgegw::mqtt::test {
namespace {

TEST(FuzzCorpus, SeedsAreValidPacketStreams) {
  const std::filesystem::path dir = EDGEGW_MQTT_CORPUS_DIR;
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  std::set<std::pair<int, std::size_t>> seen;  // (version, packet variant index)
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    version ver;
    if (name.starts_with("v31_")) {
      ver = version::v31;
    } else if (name.starts_with("v311_")) {
      ver = version::v311;
    } else if (name.starts_with("v5_")) {
      ver = version::v5;
    } else {
      ADD_FAILURE() << "seed name must start with v31_, v311_ or v5_";
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    const bytes data{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    ASSERT_FALSE(data.empty());
    std::size_t at = 0;
    while (at < data.size()) {
      packet p;
      auto r = decode(std::span(data).subspan(at), ver, 0, p);
      ASSERT_EQ(r.status, decode_status::ok) << "at offset " << at << ": " << r.error;
      seen.insert({static_cast<int>(ver), p.index()});
      at += r.consumed;
    }
    ++files;
  }
  EXPECT_GE(files, 24);
  for (auto ver : {version::v31, version::v311, version::v5}) {
    const std::size_t types = ver == version::v5 ? std::variant_size_v<packet>
                                                 : std::variant_size_v<packet> - 1;  // no AUTH
    for (std::size_t i = 0; i < types; ++i) {
      EXPECT_TRUE(seen.count({static_cast<int>(ver), i}))
          << "version " << int(ver) << " type " << i;
    }
  }
}

}  // namespace
}  // namespace edgegw::mqtt::test
