// Every TCP split of a frame stream decodes to the same frames (Beast's parsegrind): the
// stream is fed as a growing buffer of unconsumed bytes, as the connection glue does.
#include <gtest/gtest.h>

#include "util.hpp"

namespace edgegw::stomp::test {
namespace {

using namespace std::string_literals;

const std::string stream =
    "\nCONNECT\naccept-version:1.1,1.2\nlogin:u\n\n\0"
    "SEND\r\ndestination:/a/b\r\ncontent-length:4\r\n\r\nx\0yz\0\n"
    "SUBSCRIBE\nid:0\ndestination:a/\\cb\nack:client\n\n\0"
    "\r\n"
    "SEND\ndestination:c\n\nno length body\0"
    "DISCONNECT\nreceipt:77\n\n\0"s;

// Feed `wire` in chunks ending at `cuts` (increasing offsets), keeping unconsumed bytes.
decoded feed_in_pieces(const std::string& wire, const std::vector<std::size_t>& cuts) {
  decoder d;
  decoded out;
  std::string buf;
  std::size_t pos = 0;
  auto pieces = cuts;
  pieces.push_back(wire.size());
  for (std::size_t cut : pieces) {
    buf.append(wire, pos, cut - pos);
    pos = cut;
    while (true) {
      frame f;
      auto r = d.decode(bytes(buf), f);
      out.last = r.status;
      if (r.status == decode_status::frame) {
        out.frames.push_back(std::move(f));
      } else if (r.status == decode_status::heartbeat) {
        ++out.heartbeats;
      } else {
        if (r.error) out.error = r.error;
        if (r.status != decode_status::need_more) return out;
        EXPECT_EQ(r.consumed, 0u);
        break;
      }
      buf.erase(0, r.consumed);
    }
  }
  out.rest = buf.size();
  return out;
}

TEST(StompCodecSplit, WholeStreamReference) {
  auto d = decode_all(stream);
  ASSERT_EQ(d.frames.size(), 5u) << d.error;
  EXPECT_EQ(d.heartbeats, 3u);
  EXPECT_EQ(d.frames[1].body, "x\0yz"s);
  EXPECT_EQ(*d.frames[2].find("destination"), "a/:b");
  EXPECT_EQ(d.frames[3].body, "no length body");
  EXPECT_EQ(d.rest, 0u);
}

TEST(StompCodecSplit, EveryOffset) {
  const auto ref = decode_all(stream);
  for (std::size_t k = 0; k <= stream.size(); ++k) {
    auto d = feed_in_pieces(stream, {k});
    ASSERT_EQ(d.frames, ref.frames) << "split at " << k;
    ASSERT_EQ(d.heartbeats, ref.heartbeats) << "split at " << k;
    ASSERT_EQ(d.rest, 0u);
  }
}

TEST(StompCodecSplit, EveryPairOfOffsets) {
  const auto ref = decode_all(stream);
  for (std::size_t i = 0; i <= stream.size(); i += 3) {
    for (std::size_t j = i; j <= stream.size(); ++j) {
      auto d = feed_in_pieces(stream, {i, j});
      ASSERT_EQ(d.frames, ref.frames) << "split at " << i << "," << j;
    }
  }
}

TEST(StompCodecSplit, ByteByByte) {
  std::vector<std::size_t> cuts;
  for (std::size_t k = 1; k < stream.size(); ++k) cuts.push_back(k);
  auto d = feed_in_pieces(stream, cuts);
  EXPECT_EQ(d.frames, decode_all(stream).frames);
}

TEST(StompCodecSplit, LimitsHoldForEverySplit) {
  const std::string big = "SEND\n\n"s + std::string(40, 'x') + "\0"s;
  for (std::size_t k = 0; k <= big.size(); ++k) {
    decoder d(limits{64, 4, 16, 32});
    std::string buf = big.substr(0, k);
    frame f;
    auto r = d.decode(bytes(buf), f);
    if (r.status == decode_status::need_more) {
      buf = big;
      r = d.decode(bytes(buf), f);
    }
    EXPECT_EQ(r.status, decode_status::too_large) << "split at " << k;
  }
}

}  // namespace
}  // namespace edgegw::stomp::test
