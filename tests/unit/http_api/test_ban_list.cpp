// core::ban_list: what authenticate() consults (by client id, user name, peer host) and
// expiry.
#include <gtest/gtest.h>

#include "gateway/core/ban_list.hpp"

using edgegw::core::ban_entry;
using edgegw::core::ban_list;
using edgegw::core::peer_host;

TEST(BanList, MatchesEachKind) {
  ban_list b;
  EXPECT_FALSE(b.is_banned("c", "u", "1.2.3.4", 100));
  EXPECT_TRUE(b.add({"clientid", "c", "", "", 100, 0}));
  EXPECT_TRUE(b.add({"username", "u", "", "", 100, 0}));
  EXPECT_TRUE(b.add({"peerhost", "::1", "", "", 100, 0}));
  EXPECT_TRUE(b.is_banned("c", "", "9.9.9.9", 100));
  EXPECT_TRUE(b.is_banned("x", "u", "9.9.9.9", 100));
  EXPECT_TRUE(b.is_banned("x", "", "::1", 100));
  EXPECT_FALSE(b.is_banned("x", "", "9.9.9.9", 100));
  EXPECT_FALSE(b.add({"clientid", "c", "", "", 100, 0}));  // exists
  EXPECT_TRUE(b.remove("clientid", "c"));
  EXPECT_FALSE(b.remove("clientid", "c"));
  EXPECT_FALSE(b.is_banned("c", "", "9.9.9.9", 100));
}

TEST(BanList, EmptyUsernameNeverMatches) {
  ban_list b;
  b.add({"username", "", "", "", 100, 0});
  EXPECT_FALSE(b.is_banned("c", "", "h", 100));
}

TEST(BanList, Expires) {
  ban_list b;
  b.add({"clientid", "c", "", "", 100, 200});
  EXPECT_TRUE(b.is_banned("c", "", "h", 199));
  EXPECT_FALSE(b.is_banned("c", "", "h", 200));
  EXPECT_TRUE(b.list(200).empty());
  EXPECT_TRUE(b.valid_kind("peerhost"));
  EXPECT_FALSE(b.valid_kind("ip"));
}

TEST(PeerHost, Forms) {
  EXPECT_EQ(peer_host("1.2.3.4:567"), "1.2.3.4");
  EXPECT_EQ(peer_host("[::1]:567"), "::1");
  EXPECT_EQ(peer_host("noport"), "noport");
}
