// covers / intersects between an ACL rule's filter and a subscription filter.
#include <gtest/gtest.h>

#include "gateway/acl/detail/topic_relation.hpp"

using edgegw::acl::detail::covers;
using edgegw::acl::detail::intersects;

TEST(topic_relation, covers_follows_mqtt_matching) {
  EXPECT_TRUE(covers("#", "a/b"));
  EXPECT_TRUE(covers("#", "#"));
  EXPECT_TRUE(covers("a/#", "a"));  // "a/#" matches its parent [MQTT-4.7.1-2]
  EXPECT_TRUE(covers("a/#", "a/+/c"));
  EXPECT_TRUE(covers("a/+", "a/+"));
  EXPECT_TRUE(covers("a/+", "a/b"));
  EXPECT_TRUE(covers("a/b", "a/b"));
  EXPECT_FALSE(covers("a/+", "a/#"));  // a/x/y is not matched by a/+
  EXPECT_FALSE(covers("a/b", "a/+"));
  EXPECT_FALSE(covers("a/b", "a"));
  EXPECT_FALSE(covers("a", "a/b"));
  EXPECT_FALSE(covers("a/#", "#"));
  EXPECT_FALSE(covers("b/#", "a/#"));
}

TEST(topic_relation, leading_wildcards_never_reach_dollar_topics) {
  EXPECT_FALSE(covers("#", "$SYS/#"));
  EXPECT_FALSE(covers("+/#", "$SYS/x"));
  EXPECT_TRUE(covers("$SYS/#", "$SYS/broker/+"));
  EXPECT_TRUE(covers("#", "+/x"));  // '+' itself never matches '$' topics
  EXPECT_FALSE(intersects("#", "$SYS/#"));
  EXPECT_FALSE(intersects("$SYS/#", "#"));
  EXPECT_FALSE(intersects("+/broker", "$SYS/broker"));
  EXPECT_TRUE(intersects("$SYS/#", "$SYS/broker/+"));
  EXPECT_TRUE(intersects("a/#", "a/$x"));  // only the first level is special
}

TEST(topic_relation, intersects_when_one_topic_matches_both) {
  EXPECT_TRUE(intersects("sensors/#", "#"));
  EXPECT_TRUE(intersects("#", "sensors/+"));
  EXPECT_TRUE(intersects("a/+/c", "a/b/+"));
  EXPECT_TRUE(intersects("a/#", "a"));
  EXPECT_TRUE(intersects("a", "a/#"));
  EXPECT_TRUE(intersects("+", "+"));
  EXPECT_FALSE(intersects("a/+", "a"));
  EXPECT_FALSE(intersects("a/b", "a/c"));
  EXPECT_FALSE(intersects("a/+/c", "a/b/d"));
  EXPECT_FALSE(intersects("a/b/c", "a/+"));
}
