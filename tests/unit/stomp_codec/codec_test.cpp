// Wire examples from the STOMP 1.0 / 1.1 / 1.2 specifications, escaping, limits and
// malformed input.
#include <gtest/gtest.h>

#include "util.hpp"

namespace edgegw::stomp::test {
namespace {

using namespace std::string_literals;

TEST(StompCodec, ConnectFromSpec12) {
  auto d = decode_all("CONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0"s);
  ASSERT_EQ(d.frames.size(), 1u);
  const frame& f = d.frames[0];
  EXPECT_EQ(f.command, "CONNECT");
  ASSERT_NE(f.find("accept-version"), nullptr);
  EXPECT_EQ(*f.find("accept-version"), "1.2");
  EXPECT_EQ(*f.find("host"), "stomp.github.org");
  EXPECT_TRUE(f.body.empty());
  EXPECT_EQ(d.rest, 0u);
}

TEST(StompCodec, ConnectHeadersAreNotUnescaped) {
  auto d = decode_all("CONNECT\nlogin:a\\cb\npasscode:x:y\n\n\0"s);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(*d.frames[0].find("login"), "a\\cb");
  EXPECT_EQ(*d.frames[0].find("passcode"), "x:y");
}

TEST(StompCodec, SendWithNulTerminatedBody) {
  auto d = decode_all("SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0"s);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].body, "hello queue a");
  EXPECT_EQ(*d.frames[0].find("destination"), "/queue/a");
}

TEST(StompCodec, ContentLengthBodyMayHoldNul) {
  auto d = decode_all("SEND\ndestination:a\ncontent-length:5\n\nab\0cd\0"s);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].body, "ab\0cd"s);
}

TEST(StompCodec, ContentLengthMustEndInNul) {
  auto d = decode_all("SEND\ndestination:a\ncontent-length:2\n\nabc\0"s);
  EXPECT_EQ(d.last, decode_status::malformed);
}

TEST(StompCodec, HeartbeatsBetweenFramesAndCrLf) {
  auto d = decode_all("\n\r\nSEND\r\ndestination:a\r\n\r\nx\0\n\nDISCONNECT\n\n\0\n"s);
  ASSERT_EQ(d.frames.size(), 2u);
  EXPECT_EQ(d.heartbeats, 5u);
  EXPECT_EQ(*d.frames[0].find("destination"), "a");
  EXPECT_EQ(d.frames[0].body, "x");
  EXPECT_EQ(d.frames[1].command, "DISCONNECT");
}

TEST(StompCodec, RepeatedHeaderFirstWins) {
  auto d = decode_all("MESSAGE\nfoo:World\nfoo:Hello\n\n\0"s);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(*d.frames[0].find("foo"), "World");
  EXPECT_EQ(d.frames[0].headers.size(), 2u);
}

TEST(StompCodec, Unescape12) {
  auto d = decode_all("SEND\nde\\cst:a\\nb\\\\c\\rd\n\n\0"s, version::v12);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(*d.frames[0].find("de:st"), "a\nb\\c\rd");
}

TEST(StompCodec, BackslashRIsUndefinedIn11) {
  auto d = decode_all("SEND\nx:a\\rb\n\n\0"s, version::v11);
  EXPECT_EQ(d.last, decode_status::malformed);
  EXPECT_EQ(d.error, "undefined escape sequence in a header");
}

TEST(StompCodec, UndefinedEscapeIsFatal) {
  for (auto v : {version::v11, version::v12}) {
    EXPECT_EQ(decode_all("SEND\nx:a\\tb\n\n\0"s, v).last, decode_status::malformed);
    EXPECT_EQ(decode_all("SEND\nx:a\\\n\n\0"s, v).last, decode_status::malformed);
  }
}

TEST(StompCodec, Version10IsRawAndTrimmed) {
  auto d = decode_all("SEND\n destination : /a/b\\c \nx:\\n\n\nbody\0"s, version::v10);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(*d.frames[0].find("destination"), "/a/b\\c");
  EXPECT_EQ(*d.frames[0].find("x"), "\\n");
}

TEST(StompCodec, Malformed) {
  EXPECT_EQ(decode_all("send\n\n\0"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("SEND\nno colon\n\n\0"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("SEND\n:v\n\n\0"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("SEND\ncontent-length:x\n\n\0"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("SEND\ncontent-length:-1\n\n\0"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("SEND\ncontent-length:\n\n\0"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("\rX"s).last, decode_status::malformed);
  EXPECT_EQ(decode_all("SE\0ND\n\n\0"s).last, decode_status::malformed);
}

TEST(StompCodec, IncompleteIsNeedMore) {
  auto d = decode_all("SEND\ndestination:a\n\nabc"s);
  EXPECT_EQ(d.last, decode_status::need_more);
  EXPECT_EQ(d.rest, 23u);  // nothing consumed
  d = decode_all("SEND\ncontent-length:10\n\nabc"s);
  EXPECT_EQ(d.last, decode_status::need_more);
}

TEST(StompCodec, NeedMoreReportsSizeForContentLength) {
  decoder dec;
  frame f;
  const std::string w = "SEND\ncontent-length:100\n\nab";
  auto r = dec.decode(bytes(w), f);
  EXPECT_EQ(r.status, decode_status::need_more);
  EXPECT_EQ(r.needed, 25u + 100u + 1u);
}

TEST(StompCodec, Limits) {
  limits l;
  l.max_headers = 2;
  l.max_header_length = 10;
  l.max_body = 8;
  l.max_frame_size = 64;
  EXPECT_EQ(decode_all("SEND\na:1\nb:2\n\n\0"s, version::v12, l).frames.size(), 1u);
  EXPECT_EQ(decode_all("SEND\na:1\nb:2\nc:3\n\n\0"s, version::v12, l).last,
            decode_status::too_large);
  EXPECT_EQ(decode_all("SEND\na:123456789\n\n\0"s, version::v12, l).last, decode_status::too_large);
  EXPECT_EQ(decode_all("SEND\na:12345678\n\n\0"s, version::v12, l).frames.size(), 1u);
  // A header line refused before its end arrives.
  EXPECT_EQ(decode_all("SEND\na:123456789012"s, version::v12, l).last, decode_status::too_large);
  EXPECT_EQ(decode_all("SEND\n\n12345678\0"s, version::v12, l).frames.size(), 1u);
  EXPECT_EQ(decode_all("SEND\n\n123456789\0"s, version::v12, l).last, decode_status::too_large);
  // A body without NUL is refused once it passed max_body, before the frame ends.
  EXPECT_EQ(decode_all("SEND\n\n123456789"s, version::v12, l).last, decode_status::too_large);
  // content-length over the limit is refused before the body arrives.
  EXPECT_EQ(decode_all("SEND\ncontent-length:9\n\n"s, version::v12, l).last,
            decode_status::too_large);
  EXPECT_EQ(decode_all("SEND\ncontent-length:99999999999999999999999\n\n"s, version::v12, l).last,
            decode_status::too_large);
  limits small;
  small.max_frame_size = 16;  // "SEND\n\n" + body + NUL
  EXPECT_EQ(decode_all("SEND\n\n0123456789\0"s, version::v12, small).last,
            decode_status::too_large);
  EXPECT_EQ(decode_all("SEND\n\n012345678\0"s, version::v12, small).frames.size(), 1u);
}

TEST(StompCodec, EncodeEscapesPerVersion) {
  frame f;
  f.command = "MESSAGE";
  f.add("destination", "a:b\nc\\d\re");
  f.body = "hi";
  std::string w12, w11, w10;
  encode(f, version::v12, w12);
  encode(f, version::v11, w11);
  encode(f, version::v10, w10);
  EXPECT_EQ(w12, "MESSAGE\ndestination:a\\cb\\nc\\\\d\\re\ncontent-length:2\n\nhi\0"s);
  EXPECT_EQ(w11, "MESSAGE\ndestination:a\\cb\\nc\\\\d e\ncontent-length:2\n\nhi\0"s);
  EXPECT_EQ(w10, "MESSAGE\ndestination:a:b c\\d e\ncontent-length:2\n\nhi\0"s);
}

TEST(StompCodec, ConnectedIsNotEscaped) {
  frame f;
  f.command = "CONNECTED";
  f.add("server", "edgegw/1:2");
  std::string w;
  encode(f, version::v12, w);
  EXPECT_EQ(w, "CONNECTED\nserver:edgegw/1:2\n\n\0"s);
}

TEST(StompCodec, RoundTripEveryVersion) {
  for (auto v : {version::v11, version::v12}) {
    frame f;
    f.command = "MESSAGE";
    f.add("subscription", "s:1");
    f.add("destination", "/a\\b\nc");
    f.add("content-length", "3");
    f.body = "a\0b"s;
    std::string w;
    encode(f, v, w);
    auto d = decode_all(w, v);
    ASSERT_EQ(d.frames.size(), 1u) << to_string(v);
    EXPECT_EQ(d.frames[0], f);
  }
}

}  // namespace
}  // namespace edgegw::stomp::test
