// protocols/coap/mapping: paths, queries, content format, observe values (SPEC section 6).
#include <gtest/gtest.h>

#include "protocols/coap/mapping/uri_mapping.hpp"

using namespace edgegw;
using namespace edgegw::coap;

namespace {

route map(std::vector<std::string> segs, bool* bad) {
  return map_path(segs, bad);
}

}  // namespace

TEST(CoapMapping, PercentDecode) {
  EXPECT_EQ(percent_decode("a%23b"), "a#b");
  EXPECT_EQ(percent_decode("%2b%2F"), "+/");
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_EQ(percent_decode("%"), std::nullopt);
  EXPECT_EQ(percent_decode("%2"), std::nullopt);
  EXPECT_EQ(percent_decode("%zz"), std::nullopt);
}

TEST(CoapMapping, PsTopicMayContainSlashes) {
  bool bad = true;
  auto r = map({"ps", "a", "b", "c"}, &bad);
  EXPECT_FALSE(bad);
  EXPECT_EQ(r.kind, route_kind::ps);
  EXPECT_EQ(r.topic, "a/b/c");
}

TEST(CoapMapping, PercentEncodedHashIsAWildcard) {
  bool bad = true;
  auto r = map({"ps", "sensors", "%23"}, &bad);
  EXPECT_EQ(r.kind, route_kind::ps);
  EXPECT_EQ(r.topic, "sensors/#");
  r = map({"ps", "sensors", "#"}, &bad);  // clients that decode %23 themselves
  EXPECT_EQ(r.topic, "sensors/#");
}

TEST(CoapMapping, ConnectionAndLegacyPaths) {
  bool bad = true;
  EXPECT_EQ(map({"mqtt", "connection"}, &bad).kind, route_kind::connection);
  auto r = map({"mqtt", "x", "y"}, &bad);
  EXPECT_EQ(r.kind, route_kind::legacy_mqtt);
  EXPECT_EQ(r.topic, "x/y");
  EXPECT_FALSE(bad);
}

TEST(CoapMapping, BadAndUnknownPaths) {
  bool bad = false;
  EXPECT_EQ(map({"ps"}, &bad).kind, route_kind::unknown);
  EXPECT_TRUE(bad);
  EXPECT_EQ(map({"ps", "a%g0"}, &bad).kind, route_kind::unknown);
  EXPECT_TRUE(bad);
  EXPECT_EQ(map({"other", "a"}, &bad).kind, route_kind::unknown);
  EXPECT_FALSE(bad);
  EXPECT_EQ(map({}, &bad).kind, route_kind::unknown);
  EXPECT_FALSE(bad);
}

TEST(CoapMapping, QueryLongAndShortNames) {
  std::vector<std::string> q{"c=dev1", "u=alice", "p=s%3Dcret", "t=tok", "q=2", "r=true"};
  request_params p;
  std::string why;
  ASSERT_TRUE(parse_query(q, p, &why)) << why;
  EXPECT_EQ(p.clientid, "dev1");
  EXPECT_EQ(p.username, "alice");
  EXPECT_EQ(p.password, "s=cret");
  EXPECT_EQ(p.token, "tok");
  EXPECT_EQ(p.qos, 2);
  EXPECT_EQ(p.retain, true);
  request_params l;
  std::vector<std::string> ql{"clientid=d", "username=u",   "password=", "token=t",
                              "qos=0",      "retain=false", "expiry=60", "unknown=ignored"};
  ASSERT_TRUE(parse_query(ql, l, &why)) << why;
  EXPECT_EQ(l.clientid, "d");
  EXPECT_EQ(l.password, "");
  EXPECT_EQ(l.qos, 0);
  EXPECT_EQ(l.retain, false);
  EXPECT_EQ(l.expiry, 60u);
}

TEST(CoapMapping, QueryRejectsBadValues) {
  for (std::string bad :
       {"qos=3", "qos=", "qos=1x", "retain=maybe", "expiry=-1", "expiry=4294967296", "c=%4"}) {
    request_params p;
    std::string why;
    std::vector<std::string> q{bad};
    EXPECT_FALSE(parse_query(q, p, &why)) << bad;
    EXPECT_FALSE(why.empty());
  }
}

TEST(CoapMapping, ContentFormatProperty) {
  message m;
  EXPECT_EQ(content_format_of(m), std::nullopt);
  m.user_properties.push_back({"content-format", "50"});
  EXPECT_EQ(content_format_of(m), 50);
  m.user_properties[0].value = "70000";
  EXPECT_EQ(content_format_of(m), std::nullopt);
}

TEST(CoapMapping, ObserveValues) {
  EXPECT_EQ(observe_from(std::nullopt), observe_action::none);
  EXPECT_EQ(observe_from(0), observe_action::register_);
  EXPECT_EQ(observe_from(1), observe_action::deregister);
  EXPECT_EQ(observe_from(7), observe_action::none);
}
