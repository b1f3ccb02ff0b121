// The batch coalescer on its own: each rule on a hand-written batch, then random batches
// checked against the model (applying the coalesced batch must give the same database as
// applying the original one).
#include <gtest/gtest.h>

#include <random>

#include "gateway/store/detail/store_ops.hpp"
#include "store_test_util.hpp"

namespace edgegw::store::detail {
namespace {

using test::model;

session_message_record rec(const std::string& client, uint64_t seq) {
  session_message_record r;
  r.client_id = client;
  r.seq = seq;
  r.qos = 1;
  r.msg = make_message(test::small_message("t", "p"));
  return r;
}

std::vector<std::size_t> kinds(const std::vector<op>& ops) {
  std::vector<std::size_t> k;
  for (const auto& o : ops) k.push_back(o.index());
  return k;
}

constexpr std::size_t k_put_retained = 0, k_erase_retained = 1, k_put_session = 2,
                      k_erase_session = 3, k_put_sub = 4, k_put_message = 6, k_update = 7,
                      k_erase_message = 8, k_put_qos2 = 9;

TEST(Coalesce, PutThenEraseOfAMessageKeepsOnlyTheErase) {
  std::vector<op> ops{put_message_op{rec("a", 1), {}, {}},
                      update_message_op{"a", 1, message_state::sent, 5}, erase_message_op{"a", 1}};
  EXPECT_EQ(coalesce(ops), 2u);
  EXPECT_EQ(kinds(ops), (std::vector<std::size_t>{k_erase_message}));
}

TEST(Coalesce, UpdatesFoldIntoTheirPut) {
  std::vector<op> ops{put_message_op{rec("a", 1), {}, {}},
                      update_message_op{"a", 1, message_state::sent, 5},
                      update_message_op{"a", 1, message_state::released, 6}};
  EXPECT_EQ(coalesce(ops), 2u);
  ASSERT_EQ(ops.size(), 1u);
  const auto& p = std::get<put_message_op>(ops[0]);
  EXPECT_EQ(p.rec.state, message_state::released);
  EXPECT_EQ(p.rec.packet_id, 6);
}

TEST(Coalesce, OnlyTheLastOfConsecutiveUpdatesStays) {
  std::vector<op> ops{update_message_op{"a", 1, message_state::sent, 5},
                      update_message_op{"a", 2, message_state::sent, 7},
                      update_message_op{"a", 1, message_state::released, 5}};
  EXPECT_EQ(coalesce(ops), 1u);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(std::get<update_message_op>(ops[0]).seq, 2u);
  EXPECT_EQ(std::get<update_message_op>(ops[1]).state, message_state::released);
}

TEST(Coalesce, UpdateAfterEraseIsDropped) {
  std::vector<op> ops{erase_message_op{"a", 1}, update_message_op{"a", 1, message_state::sent, 5}};
  EXPECT_EQ(coalesce(ops), 1u);
  EXPECT_EQ(kinds(ops), (std::vector<std::size_t>{k_erase_message}));
}

TEST(Coalesce, EraseSessionDropsEarlierOpsOfThatClientOnly) {
  std::vector<op> ops{
      put_session_op{session_record{"a", "u", "mqtt", "", 10, 0}},
      put_subscription_op{subscription_record{"a", "x/#", {}}},
      put_message_op{rec("a", 1), {}, {}},
      put_message_op{rec("b", 1), {}, {}},
      put_qos2_op{"a", 3},
      put_retained_op{make_message(test::small_message("a", "r")), {}},
      erase_session_op{"a"},
      update_message_op{"a", 1, message_state::sent, 1},  // row gone: dropped
      put_session_op{session_record{"a", "u2", "mqtt", "", 10, 0}},
  };
  EXPECT_EQ(coalesce(ops), 5u);
  EXPECT_EQ(kinds(ops), (std::vector<std::size_t>{k_put_message, k_put_retained, k_erase_session,
                                                  k_put_session}));
  EXPECT_EQ(std::get<put_message_op>(ops[0]).rec.client_id, "b");
}

TEST(Coalesce, RepeatedEraseSessionKeepsTheLast) {
  std::vector<op> ops{erase_session_op{"a"}, put_qos2_op{"a", 1}, erase_session_op{"a"}};
  EXPECT_EQ(coalesce(ops), 2u);
  EXPECT_EQ(kinds(ops), (std::vector<std::size_t>{k_erase_session}));
}

TEST(Coalesce, LaterRetainedPutReplacesEarlier) {
  std::vector<op> ops{put_retained_op{make_message(test::small_message("t", "1")), {}},
                      put_retained_op{make_message(test::small_message("u", "1")), {}},
                      erase_retained_op{"t"},
                      put_retained_op{make_message(test::small_message("t", "2")), {}}};
  EXPECT_EQ(coalesce(ops), 2u);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(std::get<put_retained_op>(ops[0]).msg->topic, "u");
  EXPECT_EQ(std::get<put_retained_op>(ops[1]).msg->payload, "2");
}

TEST(Coalesce, ClientIdsThatLookLikeKeysDoNotCollide) {
  // "a" + filter "bc" must not be the record of client "ab" with filter "c".
  std::vector<op> ops{put_subscription_op{subscription_record{"a", "bc", {}}},
                      put_subscription_op{subscription_record{"ab", "c", {}}}, put_qos2_op{"a", 1},
                      put_qos2_op{"a", 257}};
  EXPECT_EQ(coalesce(ops), 0u);
  EXPECT_EQ(kinds(ops), (std::vector<std::size_t>{k_put_sub, k_put_sub, k_put_qos2, k_put_qos2}));
}

TEST(Coalesce, KeepsDistinctRecordsInOrder) {
  std::vector<op> ops{put_message_op{rec("a", 1), {}, {}}, put_message_op{rec("a", 2), {}, {}},
                      erase_retained_op{"x"}, update_message_op{"a", 3, message_state::sent, 1}};
  EXPECT_EQ(coalesce(ops), 0u);
  EXPECT_EQ(kinds(ops),
            (std::vector<std::size_t>{k_put_message, k_put_message, k_erase_retained, k_update}));
}

TEST(Coalesce, RandomBatchesGiveTheSameDatabaseAsTheOriginal) {
  std::mt19937 rng(42);
  std::size_t removed = 0;
  for (int round = 0; round < 2000; ++round) {
    // A starting database, then a batch on top of it.
    model base;
    for (int i = 0; i < 20; ++i) base.apply(test::random_op(rng));
    std::vector<op> batch;
    const int n = static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) batch.push_back(test::random_op(rng));

    model expected = base;
    for (const auto& o : batch) expected.apply(o);
    removed += coalesce(batch);
    model got = base;
    for (const auto& o : batch) got.apply(o);
    ASSERT_TRUE(got == expected) << "round " << round;
  }
  EXPECT_GT(removed, 1000u);  // the key space is small: coalescing must kick in
}

TEST(SubscriptionIds, RoundTripAndRejectDamage) {
  const std::vector<uint32_t> ids{1, 268435455, 0xFFFFFFFF, 7};
  std::vector<uint32_t> out;
  ASSERT_TRUE(decode_subscription_ids(encode_subscription_ids(ids), out));
  EXPECT_EQ(out, ids);
  ASSERT_TRUE(decode_subscription_ids("", out));
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(decode_subscription_ids("\x80", out));                  // truncated
  EXPECT_FALSE(decode_subscription_ids("\xff\xff\xff\xff\x7f", out));  // > 32 bits
}

}  // namespace
}  // namespace edgegw::store::detail
