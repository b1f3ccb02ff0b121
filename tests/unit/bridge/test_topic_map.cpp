#include <gtest/gtest.h>

#include "bridge/topic_map.hpp"

using namespace edgegw::bridge;

TEST(topic_map, prefix_is_prepended) {
  EXPECT_EQ(apply_prefix("site1/", "a/b"), "site1/a/b");
  EXPECT_EQ(apply_prefix("", "a/b"), "a/b");
  EXPECT_EQ(apply_prefix("up", "/x"), "up/x");
}

TEST(topic_map, prefix_must_not_hold_wildcards) {
  EXPECT_EQ(check_prefix("site1/"), "");
  EXPECT_EQ(check_prefix(""), "");
  EXPECT_NE(check_prefix("a/+/"), "");
  EXPECT_NE(check_prefix("#"), "");
  EXPECT_NE(check_prefix(std::string("a\0b", 3)), "");
  EXPECT_NE(check_prefix("\xff"), "");
}

TEST(topic_map, filters_checked_alone_and_with_prefix) {
  std::vector<std::string> ok{"a/#", "+/b", "c"};
  EXPECT_EQ(check_filters(ok, "", false), "");
  EXPECT_EQ(check_filters(ok, "site/", false), "");
  std::vector<std::string> bad{"a/#/b"};
  EXPECT_NE(check_filters(bad, "", false).find("a/#/b"), std::string::npos);
  // "x" + "+/b" makes "x+/b": + is no longer alone in its level.
  EXPECT_NE(check_filters(ok, "x", false), "");
  std::vector<std::string> shared{"$share/g/a/#"};
  EXPECT_NE(check_filters(shared, "", false), "");
  EXPECT_EQ(check_filters(shared, "", true), "");
  std::vector<std::string> bad_shared{"$share//a"};
  EXPECT_NE(check_filters(bad_shared, "", true), "");
}
