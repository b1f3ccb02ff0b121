// protocols/coap/stack/psk_table: identity:hexkey lines.
#include <gtest/gtest.h>

#include "protocols/coap/stack/psk_table.hpp"

using namespace edgegw::coap;

TEST(CoapPsk, ParsesLinesCommentsAndBlanks) {
  psk_table t;
  EXPECT_EQ(parse_psk_lines("# devices\n\ndev1:73656372\r\n  dev2 : 00ff \n", t), "");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t["dev1"], "secr");
  EXPECT_EQ(t["dev2"], std::string("\x00\xff", 2));
}

TEST(CoapPsk, ReportsTheLine) {
  psk_table t;
  EXPECT_EQ(parse_psk_lines("ok:00\nnocolon\n", t), "2: expected identity:hexkey");
  EXPECT_EQ(parse_psk_lines("a:0g\n", t), "1: key is not hex");
  EXPECT_EQ(parse_psk_lines("a:123\n", t), "1: key must be 1 to 64 bytes in hex");
  EXPECT_EQ(parse_psk_lines(":00\n", t), "1: expected identity:hexkey");
}

TEST(CoapPsk, MissingFile) {
  psk_table t;
  EXPECT_EQ(load_psk_file("/nonexistent/psk", t), "/nonexistent/psk: cannot read");
}
