#include <gtest/gtest.h>

#include "bridge/inflight_window.hpp"

using namespace edgegw::bridge;

TEST(inflight_window, room_follows_sends_and_acks) {
  inflight_window w(3);
  w.restart(65535);
  EXPECT_EQ(w.limit(), 3u);
  EXPECT_EQ(w.room(), 3u);
  EXPECT_EQ(w.cursor(), 0u);
  w.sent(5);
  w.sent(7);
  w.sent(9);
  EXPECT_EQ(w.room(), 0u);
  EXPECT_EQ(w.cursor(), 9u);
  EXPECT_TRUE(w.acked(7));  // out of order is fine
  EXPECT_EQ(w.room(), 1u);
  EXPECT_FALSE(w.acked(7));
  EXPECT_FALSE(w.acked(100));
  EXPECT_EQ(w.cursor(), 9u);  // acks never move the read position back
}

TEST(inflight_window, receive_maximum_lowers_the_limit) {
  inflight_window w(32);
  w.restart(10);
  EXPECT_EQ(w.limit(), 10u);
  w.restart(65535);
  EXPECT_EQ(w.limit(), 32u);
  w.restart(0);  // nonsense from a remote: still make progress
  EXPECT_EQ(w.limit(), 1u);
}

TEST(inflight_window, restart_resends_from_the_oldest) {
  inflight_window w(4);
  w.restart(65535);
  w.sent(1);
  w.sent(2);
  w.acked(1);
  w.restart(65535);
  EXPECT_EQ(w.cursor(), 0u);
  EXPECT_EQ(w.inflight(), 0u);
  EXPECT_EQ(w.room(), 4u);
  // A late ack from the old connection for something not re-sent yet is ignored.
  EXPECT_FALSE(w.acked(2));
}

TEST(inflight_window, a_send_that_failed_is_read_again) {
  inflight_window w(4);
  w.restart(65535);
  w.sent(3);
  w.sent(4);
  w.unsent(4);
  EXPECT_EQ(w.cursor(), 3u);
  EXPECT_EQ(w.inflight(), 1u);
  EXPECT_EQ(w.room(), 3u);
}
