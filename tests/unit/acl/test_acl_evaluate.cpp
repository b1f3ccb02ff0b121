// Evaluation of a parsed rule set: tiers in order (client id, user, address, everyone,
// patterns), deny before grant within a tier, %c / %u, filters at SUBSCRIBE.
#include <gtest/gtest.h>

#include "gateway/acl/acl_file.hpp"

using namespace edgegw::acl;

namespace {

struct eval_test : ::testing::Test {
  std::shared_ptr<const rule_set> rules;
  void load(std::string_view text) {
    auto r = parse(text, "t.acl");
    ASSERT_TRUE(r.errors.empty()) << r.errors.front();
    rules = r.rules;
  }
  decision pub(std::string_view topic, std::string_view id = "c", std::string_view user = "",
               std::string_view peer = "127.0.0.1:1") {
    return evaluate(*rules, {id, user, peer_ip(peer)}, may_write, topic, false);
  }
  decision sub(std::string_view filter, std::string_view id = "c", std::string_view user = "",
               std::string_view peer = "127.0.0.1:1") {
    return evaluate(*rules, {id, user, peer_ip(peer)}, may_read, filter, true);
  }
  decision recv(std::string_view topic, std::string_view id = "c", std::string_view user = "",
                std::string_view peer = "127.0.0.1:1") {
    return evaluate(*rules, {id, user, peer_ip(peer)}, may_read, topic, false);
  }
};

constexpr auto allow = decision::allow;
constexpr auto deny = decision::deny;
constexpr auto nomatch = decision::nomatch;

}  // namespace

TEST_F(eval_test, access_words) {
  load("topic read r/#\ntopic write w/#\ntopic readwrite rw/#\ntopic both/#\ntopic deny d/#\n");
  EXPECT_EQ(recv("r/1"), allow);
  EXPECT_EQ(pub("r/1"), nomatch);
  EXPECT_EQ(pub("w/1"), allow);
  EXPECT_EQ(recv("w/1"), nomatch);
  EXPECT_EQ(pub("rw/1"), allow);
  EXPECT_EQ(recv("rw/1"), allow);
  EXPECT_EQ(pub("both/1"), allow);
  EXPECT_EQ(recv("d/1"), deny);
  EXPECT_EQ(pub("d/1"), deny);
  EXPECT_EQ(pub("other"), nomatch);
}

TEST_F(eval_test, global_rules_apply_to_everyone_including_anonymous) {
  load("topic read public/#\nuser alice\ntopic write alice/#\n");
  EXPECT_EQ(recv("public/x"), allow);
  EXPECT_EQ(recv("public/x", "c", "alice"), allow);
  EXPECT_EQ(pub("alice/x", "c", "alice"), allow);
  EXPECT_EQ(pub("alice/x", "c", "bob"), nomatch);
  EXPECT_EQ(pub("alice/x"), nomatch);  // anonymous
}

TEST_F(eval_test, deny_wins_within_a_tier_whatever_the_order) {
  load("topic readwrite a/#\ntopic deny a/secret\n");
  EXPECT_EQ(pub("a/secret"), deny);
  EXPECT_EQ(pub("a/open"), allow);
}

TEST_F(eval_test, specific_tiers_override_general_ones) {
  load(
      "topic deny plant/#\n"
      "pattern deny devices/#\n"
      "clientid robot\n"
      "topic readwrite plant/robot/#\n"
      "user ops\n"
      "topic read plant/#\n"
      "topic deny plant/robot/#\n"
      "address 10.0.0.0/8\n"
      "topic read devices/#\n");
  // client id block before the user block
  EXPECT_EQ(pub("plant/robot/x", "robot", "ops"), allow);
  // user block before the global deny
  EXPECT_EQ(recv("plant/a", "c", "ops"), allow);
  EXPECT_EQ(recv("plant/robot/x", "c", "ops"), deny);
  // a tier that only grants other access passes the decision on
  EXPECT_EQ(pub("plant/a", "c", "ops"), deny);
  // address block before patterns
  EXPECT_EQ(recv("devices/1", "c", "", "10.9.8.7:1"), allow);
  EXPECT_EQ(recv("devices/1", "c", "", "192.168.1.1:1"), deny);
  EXPECT_EQ(recv("devices/1", "c", "", ""), deny);  // no peer: no address block applies
}

TEST_F(eval_test, several_address_blocks_deny_first) {
  load("address 10.0.0.0/8\ntopic read x/#\naddress 10.1.0.0/16\ntopic deny x/1\n");
  EXPECT_EQ(recv("x/1", "c", "", "10.1.2.3:4"), deny);
  EXPECT_EQ(recv("x/2", "c", "", "10.1.2.3:4"), allow);
  EXPECT_EQ(recv("x/1", "c", "", "10.2.2.3:4"), allow);
}

TEST_F(eval_test, patterns_substitute_client_id_and_username) {
  load("pattern readwrite devices/%c/#\npattern read users/%u/inbox\npattern write lit/%x\n");
  EXPECT_EQ(pub("devices/d1/temp", "d1"), allow);
  EXPECT_EQ(pub("devices/d2/temp", "d1"), nomatch);
  EXPECT_EQ(recv("users/ann/inbox", "c", "ann"), allow);
  EXPECT_EQ(recv("users/ann/inbox", "c", "bob"), nomatch);
  EXPECT_EQ(recv("users//inbox", "c", ""), nomatch);  // %u rules skip anonymous clients
  EXPECT_EQ(pub("lit/%x"), allow);                    // other % sequences are literal
}

TEST_F(eval_test, topic_lines_do_not_substitute) {
  load("topic write devices/%c\n");
  EXPECT_EQ(pub("devices/d1", "d1"), nomatch);
  EXPECT_EQ(pub("devices/%c", "d1"), allow);
}

TEST_F(eval_test, wildcard_characters_in_ids_are_denied_by_patterns) {
  load("pattern readwrite devices/%c/#\n");
  EXPECT_EQ(pub("devices/a/b/x", "a/b"), deny);
  EXPECT_EQ(pub("devices/+/x", "+"), deny);
  EXPECT_EQ(pub("devices/x/y", "x", "#"), deny);
}

TEST_F(eval_test, subscribe_filters) {
  load("topic read sensors/#\ntopic deny sensors/secret/#\ntopic read $SYS/#\n");
  EXPECT_EQ(sub("#"), allow);  // shares topics with sensors/#; deliveries checked later
  EXPECT_EQ(sub("sensors/+/temp"), allow);
  EXPECT_EQ(sub("sensors/secret/#"), deny);  // wholly denied
  EXPECT_EQ(sub("sensors/secret/+"), deny);
  EXPECT_EQ(sub("other/#"), nomatch);
  EXPECT_EQ(sub("$SYS/#"), allow);
  EXPECT_EQ(sub("+/x"), allow);
  EXPECT_EQ(recv("sensors/secret/x"), deny);  // what '#' then does not deliver
  EXPECT_EQ(recv("sensors/a"), allow);
}

TEST_F(eval_test, global_hash_never_grants_dollar_topics) {
  load("topic readwrite #\n");
  EXPECT_EQ(recv("$SYS/broker/uptime"), nomatch);
  EXPECT_EQ(sub("$SYS/#"), nomatch);
  EXPECT_EQ(recv("a/b"), allow);
}
