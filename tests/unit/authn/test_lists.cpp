// Globs, CIDR matching (v4, v6, v4-mapped) and the allow/deny lists.
#include <gtest/gtest.h>

#include "gateway/authn/access_lists.hpp"

using namespace edgegw::authn;

TEST(Glob, StarMatchesAnyRun) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "abc"));
  EXPECT_TRUE(glob_match("sensor-*", "sensor-17"));
  EXPECT_TRUE(glob_match("sensor-*", "sensor-"));
  EXPECT_FALSE(glob_match("sensor-*", "sensor"));
  EXPECT_TRUE(glob_match("*-test-*", "a-test-b"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYYbd"));
  EXPECT_TRUE(glob_match("exact", "exact"));
  EXPECT_FALSE(glob_match("exact", "exactly"));
  EXPECT_FALSE(glob_match("", "x"));
  EXPECT_TRUE(glob_match("**x", "x"));
}

TEST(Cidr, ParsesAndMatchesV4AndV6) {
  auto net8 = parse_network("10.0.0.0/8");
  ASSERT_TRUE(net8);
  EXPECT_TRUE(contains(*net8, *parse_peer_address("10.200.3.4:1883")));
  EXPECT_FALSE(contains(*net8, *parse_peer_address("11.0.0.1:1883")));
  auto host = parse_network(" 192.168.1.7 ");
  ASSERT_TRUE(host);
  EXPECT_TRUE(contains(*host, *parse_peer_address("192.168.1.7:5")));
  EXPECT_FALSE(contains(*host, *parse_peer_address("192.168.1.8:5")));
  auto odd = parse_network("192.168.1.130/25");  // host bits are cleared
  ASSERT_TRUE(odd);
  EXPECT_TRUE(contains(*odd, *parse_peer_address("192.168.1.200:1")));
  EXPECT_FALSE(contains(*odd, *parse_peer_address("192.168.1.100:1")));
  auto v6 = parse_network("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(contains(*v6, *parse_peer_address("[fd12:3456::1]:1883")));
  EXPECT_FALSE(contains(*v6, *parse_peer_address("[fe80::1]:1883")));
  auto lo6 = parse_network("::1");
  ASSERT_TRUE(lo6);
  EXPECT_TRUE(contains(*lo6, *parse_peer_address("[::1]:1")));
  EXPECT_FALSE(contains(*lo6, *parse_peer_address("127.0.0.1:1")));
  // A v4 client on a dual-stack socket is seen as ::ffff:a.b.c.d and matches v4 rules.
  EXPECT_TRUE(contains(*net8, *parse_peer_address("[::ffff:10.1.2.3]:1883")));
  auto all = parse_network("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(contains(*all, *parse_peer_address("1.2.3.4:1")));
  EXPECT_FALSE(contains(*all, *parse_peer_address("[2001:db8::1]:1")));
  auto all6 = parse_network("::/0");
  ASSERT_TRUE(all6);
  EXPECT_TRUE(contains(*all6, *parse_peer_address("[2001:db8::1]:1")));
}

TEST(Cidr, RefusesBadNetworks) {
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x",
                          "host.example", "10.0.0.0/8/9", "[::1]"})
    EXPECT_FALSE(parse_network(bad)) << bad;
  std::vector<ip_network> out;
  EXPECT_EQ(parse_networks("10.0.0.0/8, ::1,", out), "");
  EXPECT_EQ(out.size(), 2u);
  EXPECT_NE(parse_networks("10.0.0.0/8, nope", out), "");
}

TEST(Lists, DenyThenAllow) {
  access_lists l;
  EXPECT_TRUE(l.empty());
  l.deny_clientids = split_list("bad-*, evil");
  l.deny_usernames = split_list("root");
  parse_networks("192.0.2.0/24", l.deny_addresses);
  EXPECT_FALSE(l.empty());
  const std::optional<std::string> none;
  EXPECT_EQ(l.refuse("good", none, "127.0.0.1:1"), std::nullopt);
  EXPECT_EQ(l.refuse("bad-1", none, "127.0.0.1:1"), "deny_clientids");
  EXPECT_EQ(l.refuse("evil", none, "127.0.0.1:1"), "deny_clientids");
  EXPECT_EQ(l.refuse("good", std::string("root"), "127.0.0.1:1"), "deny_usernames");
  EXPECT_EQ(l.refuse("good", none, "192.0.2.9:1"), "deny_addresses");

  l.allow_addresses.clear();
  parse_networks("127.0.0.0/8", l.allow_addresses);
  EXPECT_EQ(l.refuse("good", none, "127.0.0.1:1"), std::nullopt);
  EXPECT_EQ(l.refuse("good", none, "198.51.100.1:1"), "allow_addresses");
  l.allow_usernames = split_list("dev-*");
  EXPECT_EQ(l.refuse("good", std::string("dev-1"), "127.0.0.1:1"), std::nullopt);
  EXPECT_EQ(l.refuse("good", std::string("ops"), "127.0.0.1:1"), "allow_usernames");
  EXPECT_EQ(l.refuse("good", none, "127.0.0.1:1"), "allow_usernames");
  l.allow_clientids = split_list("good");
  EXPECT_EQ(l.refuse("other", std::string("dev-1"), "127.0.0.1:1"), "allow_clientids");
}
