// CoRE link format, the discover content EMQX gives, and registration parsing and events.
#include "test_util.hpp"

using namespace edgegw::lwm2m;

TEST(Links, ParsesTargetsAndAttributes) {
  auto r = decode_links(R"(</>;rt="oma.lwm2m";ct=11543, </1/0>,</3/0>;ver=1.1,</5>;title="a,b;c")");
  ASSERT_TRUE(r) << r.error().reason;
  ASSERT_EQ(r.value().size(), 4u);
  EXPECT_EQ(r.value()[0].target, "/");
  EXPECT_EQ(r.value()[0].attributes, (std::vector<std::pair<std::string, std::string>>{
                                         {"rt", "oma.lwm2m"}, {"ct", "11543"}}));
  EXPECT_EQ(r.value()[1].target, "/1/0");
  EXPECT_EQ(r.value()[3].attributes[0].second, "a,b;c");
  for (const char* bad : {"/1/0", "<1/0", "</1>;", "</1>x", "</1>;=3", "</1>;a=\"x"})
    EXPECT_FALSE(decode_links(bad).has_value()) << bad;
  EXPECT_TRUE(decode_links("").value().empty());
}

TEST(Links, DiscoverContentIsTheSplitLinkList) {
  EXPECT_EQ(
      split_links("</3/0>;dim=8,</3/0/0>,</3/0/1>,</3/0/4>,</3/0/16>"),
      (std::vector<std::string>{"</3/0>;dim=8", "</3/0/0>", "</3/0/1>", "</3/0/4>", "</3/0/16>"}));
  EXPECT_EQ(split_links(R"(</3/0>;title="x,y")"),
            (std::vector<std::string>{R"(</3/0>;title="x,y")"}));
  EXPECT_TRUE(split_links("").empty());
}

TEST(Registration, RegisterEventAsEmqx) {
  auto r = parse_registration({"ep=dev1", "lt=345", "lwm2m=1.0", "b=U"}, "</1>,</2>,</3>,</4>,</5>",
                              true);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value().endpoint(), "dev1");
  EXPECT_EQ(r.value().lifetime(), 345u);
  EXPECT_FALSE(r.value().queue_mode());
  EXPECT_EQ(make_registration_event("register", r.value()).dump(),
            R"({"data":{"alternatePath":"/","b":"U","ep":"dev1","lt":345,"lwm2m":"1.0",)"
            R"("objectList":["/1","/2","/3","/4","/5"]},"msgType":"register"})");
}

TEST(Registration, AlternatePathAndQueueMode) {
  auto r = parse_registration(
      {"ep=dev2", "b=UQ"}, R"(</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3/0>,</other>)", true);
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value().alternate_path, "/lwm2m");
  EXPECT_EQ(r.value().object_list, (std::vector<std::string>{"/1/0", "/3/0"}));
  EXPECT_TRUE(r.value().queue_mode());
  EXPECT_FALSE(r.value().lifetime().has_value());
  auto q11 = parse_registration({"ep=dev3", "Q"}, "", true);
  ASSERT_TRUE(q11);
  EXPECT_TRUE(q11.value().queue_mode());
  EXPECT_EQ(make_registration_event("register", q11.value())["data"]["Q"], true);
  EXPECT_FALSE(make_registration_event("register", q11.value())["data"].contains("objectList"));
}

TEST(Registration, UpdateMerges) {
  auto reg = parse_registration({"ep=dev1", "lt=300", "b=U"}, "</1/0>,</3/0>", true).value();
  auto up = parse_registration({"lt=600"}, "", false);
  ASSERT_TRUE(up);
  merge_update(reg, up.value());
  EXPECT_EQ(reg.lifetime(), 600u);
  EXPECT_EQ(reg.object_list.size(), 2u);
  auto up2 = parse_registration({}, "</1/0>,</3/0>,</3303/0>", false).value();
  merge_update(reg, up2);
  EXPECT_EQ(reg.object_list.size(), 3u);
  EXPECT_EQ(make_registration_event("update", reg)["data"]["lt"], 600);
}

TEST(Registration, RefusesBadInput) {
  EXPECT_FALSE(parse_registration({"lt=300"}, "", true).has_value());        // no ep
  EXPECT_FALSE(parse_registration({"ep=a", "lt=x"}, "", true).has_value());  // bad lt
  EXPECT_FALSE(parse_registration({"ep=a"}, "</1/x>", true).has_value());    // bad link
  EXPECT_FALSE(parse_registration({"ep=a"}, "garbage", true).has_value());
  EXPECT_FALSE(parse_registration({"=a"}, "", false).has_value());
  // Events are JSON: bytes that are not UTF-8 are refused, with a reason that is.
  auto bad = parse_registration({"ep=\xff"}, "", true);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().reason, "query parameter 'ep=\\xff' is not UTF-8");
  EXPECT_FALSE(parse_registration({"ep=a"}, "</\xfe>;rt=\"oma.lwm2m\"", true).has_value());
}
