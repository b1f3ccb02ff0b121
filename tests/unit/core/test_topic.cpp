// Topic names, filters and matching, checked against the examples of MQTT 5.0 section 4.7.
#include <gtest/gtest.h>

#include "gateway/api/topic.hpp"

using namespace edgegw;

TEST(topic, spec_4_7_1_2_multi_level_wildcard) {
  // "sport/tennis/player1/#" matches the three examples of the spec.
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/ranking"));
  EXPECT_TRUE(topic_matches("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon"));
  EXPECT_TRUE(topic_matches("sport/#", "sport"));
  EXPECT_TRUE(topic_matches("#", "a/b/c"));
  EXPECT_FALSE(topic_matches("sport/tennis/#", "sport/football"));
}

TEST(topic, spec_4_7_1_3_single_level_wildcard) {
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player1"));
  EXPECT_TRUE(topic_matches("sport/tennis/+", "sport/tennis/player2"));
  EXPECT_FALSE(topic_matches("sport/tennis/+", "sport/tennis/player1/ranking"));
  EXPECT_FALSE(topic_matches("sport/+", "sport"));
  EXPECT_TRUE(topic_matches("sport/+", "sport/"));
  EXPECT_TRUE(topic_matches("+/+", "/finance"));
  EXPECT_TRUE(topic_matches("/+", "/finance"));
  EXPECT_FALSE(topic_matches("+", "/finance"));
}

TEST(topic, MQTT_4_7_2_1_dollar_topics_not_matched_by_leading_wildcards) {
  EXPECT_FALSE(topic_matches("#", "$SYS/monitor/Clients"));
  EXPECT_FALSE(topic_matches("+/monitor/Clients", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$SYS/#", "$SYS/monitor/Clients"));
  EXPECT_TRUE(topic_matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
}

TEST(topic, filter_validation_MQTT_4_7_1) {
  EXPECT_EQ(validate_topic_filter("sport/tennis/#"), errc::ok);
  EXPECT_EQ(validate_topic_filter("sport/tennis#"), errc::topic_filter_invalid);
  EXPECT_EQ(validate_topic_filter("sport/tennis/#/ranking"), errc::topic_filter_invalid);
  EXPECT_EQ(validate_topic_filter("+"), errc::ok);
  EXPECT_EQ(validate_topic_filter("+/tennis/#"), errc::ok);
  EXPECT_EQ(validate_topic_filter("sport+"), errc::topic_filter_invalid);
  EXPECT_EQ(validate_topic_filter("sport/+/player1"), errc::ok);
  EXPECT_EQ(validate_topic_filter(""), errc::topic_filter_invalid);
  EXPECT_EQ(validate_topic_filter(std::string_view("a\0b", 3)), errc::topic_filter_invalid);
}

TEST(topic, name_validation) {
  EXPECT_EQ(validate_topic_name("a/b"), errc::ok);
  EXPECT_EQ(validate_topic_name("/"), errc::ok);
  EXPECT_EQ(validate_topic_name(""), errc::topic_name_invalid);
  EXPECT_EQ(validate_topic_name("a/+"), errc::topic_name_invalid);
  EXPECT_EQ(validate_topic_name("a/#"), errc::topic_name_invalid);
  EXPECT_EQ(validate_topic_name("a\xC0\xAF"), errc::topic_name_invalid);     // overlong
  EXPECT_EQ(validate_topic_name("\xED\xA0\x80"), errc::topic_name_invalid);  // surrogate
  topic_limits lim{8, 2};
  EXPECT_EQ(validate_topic_name("a/b", lim), errc::ok);
  EXPECT_EQ(validate_topic_name("a/b/c", lim), errc::topic_name_invalid);
  EXPECT_EQ(validate_topic_name("abcdefghi", lim), errc::topic_name_invalid);
}

TEST(topic, shared_filters) {
  errc e;
  auto s = parse_shared_filter("$share/g1/a/+", &e);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->group, "g1");
  EXPECT_EQ(s->filter, "a/+");
  auto q = parse_shared_filter("$queue/a/b", &e);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->group, "$queue");
  EXPECT_EQ(q->filter, "a/b");
  EXPECT_FALSE(parse_shared_filter("a/b", &e));
  EXPECT_EQ(e, errc::ok);
  EXPECT_FALSE(parse_shared_filter("$share/g1", &e));
  EXPECT_EQ(e, errc::topic_filter_invalid);
  EXPECT_FALSE(parse_shared_filter("$share//a", &e));
  EXPECT_EQ(e, errc::topic_filter_invalid);
  EXPECT_FALSE(parse_shared_filter("$share/g+/a", &e));
  EXPECT_EQ(e, errc::topic_filter_invalid);
}
