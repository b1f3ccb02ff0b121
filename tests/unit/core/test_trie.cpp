// The subscription trie must find exactly what brute-force topic_matches finds.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "fake_store.hpp"
#include "gateway/core/broker_core.hpp"
#include "gateway/core/subscription_trie.hpp"

using namespace edgegw;

namespace {
struct trie_fixture : ::testing::Test {
  boost::asio::io_context io;
  test::fake_store store;
  core::broker_core broker{core::core_settings{}, io.get_executor(), store};
  std::shared_ptr<core::core_session> make(const std::string& id) {
    client_info c;
    c.client_id = id;
    return std::make_shared<core::core_session>(broker, std::make_shared<const client_info>(c), 0);
  }
};
}  // namespace

TEST_F(trie_fixture, matches_equal_brute_force) {
  const std::vector<std::string> levels = {"a", "b", "", "$SYS", "c"};
  std::mt19937 rng(7);
  auto rand_topic = [&](bool filter) {
    std::string t;
    int n = 1 + rng() % 4;
    for (int i = 0; i < n; ++i) {
      if (i) t += '/';
      int r = rng() % (filter ? 7 : 5);
      if (filter && r == 5)
        t += '+';
      else if (filter && r == 6 && i == n - 1)
        t += '#';
      else
        t += levels[r % levels.size()];
    }
    return t;
  };
  core::subscription_trie trie;
  std::vector<std::pair<std::string, std::shared_ptr<core::core_session>>> subs;
  for (int i = 0; i < 300; ++i) {
    auto f = rand_topic(true);
    if (validate_topic_filter(f) != errc::ok) continue;
    auto s = make("c" + std::to_string(i));
    trie.insert(f, {}, {s, {}});
    subs.emplace_back(f, s);
  }
  for (int i = 0; i < 500; ++i) {
    auto t = rand_topic(false);
    std::set<const core::core_session*> got, want;
    trie.match(
        t, [&](core::subscriber& s) { got.insert(s.session.get()); }, [](core::shared_group&) {});
    for (auto& [f, s] : subs)
      if (topic_matches(f, t)) want.insert(s.get());
    ASSERT_EQ(got, want) << "topic " << t;
  }
  // Erasing everything leaves an empty trie.
  for (auto& [f, s] : subs) EXPECT_TRUE(trie.erase(f, {}, s.get()));
  EXPECT_EQ(trie.size(), 0u);
}

TEST_F(trie_fixture, shared_groups_and_replace) {
  core::subscription_trie trie;
  auto a = make("a"), b = make("b");
  EXPECT_TRUE(trie.insert("x/+", "g", {a, {}}));
  EXPECT_TRUE(trie.insert("x/+", "g", {b, {}}));
  subscription_options o;
  o.qos = 2;
  EXPECT_FALSE(trie.insert("x/+", "g", {b, o}));  // replace, not add
  int groups = 0, plain = 0;
  trie.match(
      "x/1", [&](core::subscriber&) { ++plain; },
      [&](core::shared_group& g) {
        ++groups;
        EXPECT_EQ(g.members.size(), 2u);
      });
  EXPECT_EQ(groups, 1);
  EXPECT_EQ(plain, 0);
  EXPECT_TRUE(trie.erase("x/+", "g", a.get()));
  EXPECT_FALSE(trie.erase("x/+", "g", a.get()));
  EXPECT_TRUE(trie.erase("x/+", "g", b.get()));
  EXPECT_EQ(trie.size(), 0u);
}
