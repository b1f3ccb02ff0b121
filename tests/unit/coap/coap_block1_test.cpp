// block1_assembly: in-order reassembly, repeats, gaps, limits and expiry.
#include <gtest/gtest.h>

#include "protocols/coap/gateway/block1_assembly.hpp"

namespace edgegw::coap {
namespace {

using st = block1_assembly::status;
using std::chrono::seconds;
const auto t0 = std::chrono::steady_clock::time_point{} + seconds(1000);

block1_limits small() {
  block1_limits l;
  l.max_body = 64;
  l.max_total = 96;
  l.max_per_client = 2;
  l.lifetime = seconds(10);
  return l;
}

std::string b16(char c) {
  return std::string(16, c);
}

TEST(CoapBlock1, InOrderBlocksMakeOneBody) {
  block1_assembly a(small());
  EXPECT_EQ(a.add(1, "u", {0, true, 0}, b16('a'), {}, t0).st, st::more);
  EXPECT_EQ(a.add(1, "u", {1, true, 0}, b16('b'), {}, t0).st, st::more);
  auto done = a.add(1, "u", {2, false, 0}, "c", {}, t0);
  EXPECT_EQ(done.st, st::complete);
  EXPECT_EQ(done.body, b16('a') + b16('b') + "c");
  EXPECT_EQ(a.uploads(), 0u);
  EXPECT_EQ(a.bytes(), 0u);
}

TEST(CoapBlock1, SingleBlockNeedsNoState) {
  block1_assembly a(small());
  auto o = a.add(1, "u", {0, false, 2}, "whole", {}, t0);
  EXPECT_EQ(o.st, st::complete);
  EXPECT_EQ(o.body, "whole");
  EXPECT_EQ(a.uploads(), 0u);
}

TEST(CoapBlock1, RepeatIsAnsweredNotAppended) {
  block1_assembly a(small());
  a.add(1, "u", {0, true, 0}, b16('a'), {}, t0);
  EXPECT_EQ(a.add(1, "u", {0, true, 0}, b16('a'), {}, t0).st, st::more);  // restarts
  EXPECT_EQ(a.add(1, "u", {1, true, 0}, b16('b'), {}, t0).st, st::more);
  EXPECT_EQ(a.add(1, "u", {1, true, 0}, b16('b'), {}, t0).st, st::more);  // repeat
  EXPECT_EQ(a.bytes(), 32u);
  EXPECT_EQ(a.add(1, "u", {2, false, 0}, "", {}, t0).body, b16('a') + b16('b'));
}

TEST(CoapBlock1, GapsAndStrayBlocksAreIncomplete) {
  block1_assembly a(small());
  EXPECT_EQ(a.add(1, "u", {1, false, 0}, "x", {}, t0).st, st::incomplete);
  a.add(1, "u", {0, true, 0}, b16('a'), {}, t0);
  EXPECT_EQ(a.add(1, "u", {2, true, 0}, b16('c'), {}, t0).st, st::incomplete);
  EXPECT_EQ(a.uploads(), 0u);  // dropped
  EXPECT_EQ(a.add(1, "u", {1, false, 0}, "b", {}, t0).st, st::incomplete);
}

TEST(CoapBlock1, WrongSizesAreBad) {
  block1_assembly a(small());
  EXPECT_EQ(a.add(1, "u", {0, true, 0}, "short", {}, t0).st, st::bad);
  EXPECT_EQ(a.add(1, "u", {0, false, 0}, std::string(17, 'x'), {}, t0).st, st::bad);
  EXPECT_EQ(a.add(1, "u", {0, true, 7}, std::string(1024, 'x'), {}, t0).st, st::bad);
}

TEST(CoapBlock1, BodyLimitBySize1AndByData) {
  block1_assembly a(small());
  EXPECT_EQ(a.add(1, "u", {0, true, 0}, b16('a'), 65, t0).st, st::too_large);
  EXPECT_EQ(a.add(1, "u", {0, true, 0}, b16('a'), 64, t0).st, st::more);
  for (uint32_t n = 1; n < 4; ++n)
    EXPECT_EQ(a.add(1, "u", {n, true, 0}, b16('a'), {}, t0).st, st::more);
  EXPECT_EQ(a.add(1, "u", {4, false, 0}, "x", {}, t0).st, st::too_large);
  EXPECT_EQ(a.bytes(), 0u);
}

TEST(CoapBlock1, PerClientAndTotalLimits) {
  block1_assembly a(small());
  EXPECT_EQ(a.add(1, "u1", {0, true, 1}, std::string(32, 'a'), {}, t0).st, st::more);
  EXPECT_EQ(a.add(1, "u2", {0, true, 1}, std::string(32, 'a'), {}, t0).st, st::more);
  EXPECT_EQ(a.add(1, "u3", {0, true, 1}, std::string(32, 'a'), {}, t0).st, st::busy);
  EXPECT_EQ(a.add(2, "u1", {0, true, 1}, std::string(32, 'a'), {}, t0).st, st::more);
  EXPECT_EQ(a.bytes(), 96u);
  EXPECT_EQ(a.add(3, "u1", {0, true, 1}, std::string(32, 'a'), {}, t0).st, st::busy);
  a.forget(1);
  EXPECT_EQ(a.uploads(), 1u);
  EXPECT_EQ(a.bytes(), 32u);
}

TEST(CoapBlock1, StaleUploadsExpire) {
  block1_assembly a(small());
  a.add(1, "u", {0, true, 0}, b16('a'), {}, t0);
  a.add(2, "u", {0, true, 0}, b16('a'), {}, t0 + seconds(5));
  EXPECT_EQ(a.expire(t0 + seconds(9)), 0u);
  EXPECT_EQ(a.expire(t0 + seconds(10)), 1u);
  EXPECT_EQ(a.add(1, "u", {1, false, 0}, "b", {}, t0 + seconds(10)).st, st::incomplete);
  EXPECT_EQ(a.add(2, "u", {1, false, 0}, "b", {}, t0 + seconds(10)).body, b16('a') + "b");
}

}  // namespace
}  // namespace edgegw::coap
