// The pre-shared key formats (net::tls::psk_keys) and the live store.
#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>

#include <fstream>

#include "gateway/net/tls/psk_keys.hpp"

namespace edgegw::net::tls {
namespace {

TEST(PskKeys, LinesCommentsAndColonsInIdentities) {
  psk_table t;
  EXPECT_EQ(parse_psk_lines("# keys\n\n dev1 : 00ff10 \r\nurn:dev:2:ABCD\n", t), "");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at("dev1"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(t.at("urn:dev:2"), "\xab\xcd");
}

TEST(PskKeys, BadLinesNameTheLine) {
  psk_table t;
  EXPECT_EQ(parse_psk_lines("a:00\nno-colon\n", t), "2: expected identity:hexkey");
  EXPECT_EQ(parse_psk_lines(":00\n", t), "1: expected identity:hexkey");
  EXPECT_EQ(parse_psk_lines("a:0g\n", t), "1: key is not hex");
  EXPECT_EQ(parse_psk_lines("a:123\n", t), "1: key must be 1 to 64 bytes in hex");
  EXPECT_EQ(parse_psk_lines("a:\n", t), "1: key must be 1 to 64 bytes in hex");
  EXPECT_EQ(parse_psk_lines("a:" + std::string(130, 'a') + "\n", t),
            "1: key must be 1 to 64 bytes in hex");
}

TEST(PskKeys, FileErrorsNameTheFile) {
  psk_table t;
  EXPECT_NE(load_psk_file("/nonexistent/psk", t).find("/nonexistent/psk: cannot read"),
            std::string::npos);
  char name[] = "/tmp/egw-psk-XXXXXX";
  const int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(name) << "ok:01\nbad\n";
  EXPECT_EQ(load_psk_file(name, t), std::string(name) + ":2: expected identity:hexkey");
  std::remove(name);
}

TEST(PskKeys, StoreLooksUpAndIsReplacedWhole) {
  psk_store s(psk_table{{"a", "1"}});
  EXPECT_EQ(s.find("a"), "1");
  EXPECT_FALSE(s.find("b"));
  s.replace(psk_table{{"b", "2"}});
  EXPECT_FALSE(s.find("a"));
  EXPECT_EQ(s.find("b"), "2");
  EXPECT_EQ(s.size(), 1u);
}

}  // namespace
}  // namespace edgegw::net::tls
