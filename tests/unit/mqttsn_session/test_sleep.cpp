// Sleeping clients (MQTT-SN 1.2 section 6.14): DISCONNECT with a duration, the bounded
// buffer, wake-up with PINGREQ, going back to sleep, and a sleeper that never wakes.
#include "fixture.hpp"

namespace edgegw::mqttsn::test {
namespace {

class SleepTest : public GatewayTest {
 protected:
  void asleep(uint16_t duration = 60) {
    connected("sleepy");
    send(disconnect{duration});
    EXPECT_FALSE(next<disconnect>().duration.has_value());
    EXPECT_EQ(stats.clients_asleep.load(), 1);
    EXPECT_TRUE(broker.closes.empty());  // the session stays
  }
};

TEST_F(SleepTest, BufferedWhileAsleepDeliveredOnWakeThenPingresp) {
  asleep();
  deliver("ab", "one", 0);
  deliver("ab", "two", 1, 2);
  expect_silence();
  send(pingreq{"sleepy"});
  EXPECT_EQ(next<publish>().data, "one");
  auto p = next<publish>();
  EXPECT_EQ(p.data, "two");
  expect_silence();  // PINGRESP only after the QoS 1 message is acknowledged
  send(puback{p.topic_id, 2, return_code::accepted});
  next<pingresp>();
  EXPECT_EQ(stats.clients_asleep.load(), 1);
  // Back asleep: buffering again.
  deliver("ab", "three", 0);
  expect_silence();
}

TEST_F(SleepTest, WakeWithNothingBufferedIsJustPingresp) {
  asleep();
  send(pingreq{"sleepy"});
  next<pingresp>();
}

TEST_F(SleepTest, BufferIsBoundedOldestDropped) {
  cfg.max_sleep_buffer = 2;
  asleep();
  deliver("ab", "1", 0);
  deliver("ab", "2", 1, 2);
  deliver("ab", "3", 0);
  EXPECT_EQ(stats.messages_dropped.load(), 1u);
  deliver("ab", "4", 0);
  EXPECT_EQ(stats.messages_dropped.load(), 2u);
  // The dropped QoS 1 message left the session's window.
  ASSERT_EQ(broker.sess->acks.size(), 1u);
  EXPECT_EQ(std::get<0>(broker.sess->acks[0]), 2);
  send(pingreq{"sleepy"});
  EXPECT_EQ(next<publish>().data, "3");
  EXPECT_EQ(next<publish>().data, "4");
  next<pingresp>();
}

TEST_F(SleepTest, SleeperThatMissesItsDurationIsLostAndItsWillFires) {
  asleep(10);
  advance(14s);
  EXPECT_TRUE(broker.closes.empty());
  send(pingreq{"sleepy"});
  next<pingresp>();
  advance(14s);
  EXPECT_TRUE(broker.closes.empty());
  advance(1s);  // 1.5 x 10 s after the last wake-up
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_TRUE(broker.closes[0].send_will);
  EXPECT_EQ(gw().client_count(), 0u);
  EXPECT_EQ(stats.clients_asleep.load(), 0);
}

TEST_F(SleepTest, NoKeepaliveWhileAsleep) {
  connected("sleepy", 5);
  send(disconnect{100});
  next<disconnect>();
  advance(60s);
  EXPECT_TRUE(broker.closes.empty());
}

TEST_F(SleepTest, WakeFromANewAddress) {
  asleep();
  deliver("ab", "moved", 0);
  send(pingreq{"sleepy"}, addr(7777));
  EXPECT_EQ(out.front().to.port(), 7777);
  EXPECT_EQ(next<publish>().data, "moved");
  next<pingresp>();
}

TEST_F(SleepTest, ConnectWakesToActive) {
  asleep();
  deliver("ab", "kept", 0);
  connect c;
  c.client_id = "sleepy";
  send(c);  // CleanSession=false: the session and what was buffered survive
  EXPECT_EQ(next<connack>().rc, return_code::accepted);
  // fake broker reports no session present; the buffer goes with a new session
  expect_silence();
  EXPECT_EQ(stats.clients_asleep.load(), 0);
  EXPECT_EQ(stats.clients_active.load(), 1);
}

TEST_F(SleepTest, DisconnectWhileAsleepEnds) {
  asleep();
  send(disconnect{});
  next<disconnect>();
  ASSERT_EQ(broker.closes.size(), 1u);
  EXPECT_FALSE(broker.closes[0].send_will);
}

TEST_F(SleepTest, UnansweredDeliveryDuringWakeKeepsItForNextWake) {
  cfg.max_retries = 1;
  asleep();
  deliver("ab", "q1", 1, 8);
  send(pingreq{"sleepy"});
  EXPECT_EQ(next<publish>().msg_id, 8);
  advance(1s);
  EXPECT_TRUE(next<publish>().f.dup);
  advance(1s);
  next<pingresp>();  // gave up for this wake-up
  EXPECT_TRUE(broker.closes.empty());
  send(pingreq{"sleepy"});
  auto p = next<publish>();
  EXPECT_EQ(p.msg_id, 8);
  EXPECT_TRUE(p.f.dup);
  send(puback{p.topic_id, 8, return_code::accepted});
  next<pingresp>();
}

}  // namespace
}  // namespace edgegw::mqttsn::test
