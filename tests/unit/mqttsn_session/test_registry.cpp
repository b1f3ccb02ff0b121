// REGISTER refusals and the per-client topic id registry.
#include "fixture.hpp"
#include "protocols/mqttsn/adapter/detail/topic_registry.hpp"

namespace edgegw::mqttsn::test {
namespace {

TEST(TopicRegistry, IdsFrom1025AndBounded) {
  detail::topic_registry r(2);
  EXPECT_EQ(r.add("a"), 1025);
  EXPECT_EQ(r.add("b"), 1026);
  EXPECT_EQ(r.add("a"), 1025);
  EXPECT_FALSE(r.add("c").has_value());
  EXPECT_EQ(*r.name(1026), "b");
  r.erase(1025);
  EXPECT_EQ(r.add("c"), 1027);     // ids are not reused at once
  EXPECT_FALSE(r.insert(5, "x"));  // predefined range
}

TEST_F(GatewayTest, WildcardNamesCannotBeRegistered) {
  connected();
  send(reg{0, 1, "a/+"});
  EXPECT_EQ(next<regack>().rc, return_code::not_supported);
  send(reg{0, 2, "a/#"});
  EXPECT_EQ(next<regack>().rc, return_code::not_supported);
  send(reg{0, 3, ""});
  EXPECT_EQ(next<regack>().rc, return_code::not_supported);
}

TEST_F(GatewayTest, RegisteredTopicLimit) {
  cfg.max_registered_topics = 2;
  connected();
  send(reg{0, 1, "t/1"});
  EXPECT_EQ(next<regack>().rc, return_code::accepted);
  send(reg{0, 2, "t/2"});
  EXPECT_EQ(next<regack>().rc, return_code::accepted);
  send(reg{0, 3, "t/3"});
  EXPECT_EQ(next<regack>().rc, return_code::congestion);
  send(reg{0, 4, "t/1"});  // known names still work
  EXPECT_EQ(next<regack>().rc, return_code::accepted);
}

TEST_F(GatewayTest, RegistrationsAreForgottenOnACleanReconnect) {
  connected();
  send(reg{0, 1, "t/1"});
  next<regack>();
  connected();  // clean session again from the same address
  publish p;
  p.f.qos = 1;
  p.topic_id = 1025;
  p.msg_id = 2;
  send(p);
  EXPECT_EQ(next<puback>().rc, return_code::invalid_topic_id);
}

}  // namespace
}  // namespace edgegw::mqttsn::test
