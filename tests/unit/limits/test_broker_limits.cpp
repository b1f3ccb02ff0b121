// broker_core with the limits on: flapping bans through authenticate(), per-client rates
// in publish() (paused with on_unthrottle, refused without), connections in total across
// protocols.
#include <gtest/gtest.h>

#include <atomic>

#include "gateway/api/asio.hpp"
#include "gateway/core/broker_core.hpp"

namespace {

using namespace edgegw;
using namespace std::chrono_literals;

struct null_sink : delivery_sink {
  void on_ready() override {}
  void on_close(close_reason) override {}
};

struct broker_limits_test : ::testing::Test {
  boost::asio::io_context io;
  std::unique_ptr<store::durable_store> store = store::make_null_store();
  core::core_settings settings;
  std::unique_ptr<core::broker_core> broker;

  void make() { broker = std::make_unique<core::broker_core>(settings, io.get_executor(), *store); }
  result<client_info> auth(const std::string& id, const std::string& protocol = "mqtt") {
    credentials c;
    c.protocol = protocol;
    c.client_id = id;
    c.peer = "127.0.0.1:5000";
    return broker->authenticate(c);
  }
  result<publish_outcome> pub(const client_info& c, std::size_t payload,
                              std::function<void()> unthrottle = {}) {
    message m;
    m.topic = "t";
    m.payload.assign(payload, 'x');
    return broker->publish(c, make_message(std::move(m)), std::move(unthrottle));
  }
};

TEST_F(broker_limits_test, FlappingClientIsBannedWithByFlapping) {
  settings.flapping_detect = true;
  settings.flapping_max_count = 3;
  settings.flapping_window = 60s;
  settings.flapping_ban_time = 120s;
  make();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(auth("flappy")) << i;
  auto r = auth("flappy");
  ASSERT_FALSE(r);
  EXPECT_EQ(static_cast<errc>(r.error().value()), errc::banned);
  EXPECT_FALSE(auth("flappy"));  // and stays banned
  EXPECT_TRUE(auth("calm"));
  auto l = broker->bans().list(unix_ms_now() / 1000);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].as, "clientid");
  EXPECT_EQ(l[0].who, "flappy");
  EXPECT_EQ(l[0].by, "flapping");
  EXPECT_NEAR(double(l[0].until_s - l[0].at_s), 120.0, 1.0);
}

TEST_F(broker_limits_test, FlappingOffByDefault) {
  make();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(auth("loop")) << i;
}

TEST_F(broker_limits_test, MessageRatePausesAPausablePublisher) {
  settings.max_message_rate = 20;  // burst 20
  make();
  auto c = auth("flood").value();
  std::atomic<int> released{0};
  // The bucket refills from the first publish on, so the pause is measured from there: from
  // the throttled publish it is shorter by the time the burst took (over 10 ms under qemu).
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    auto r = pub(c, 1, [&] { ++released; });
    ASSERT_TRUE(r);
    EXPECT_FALSE(r.value().throttled) << i;
  }
  auto r = pub(c, 1, [&] { ++released; });
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.value().throttled);
  EXPECT_EQ(released.load(), 0);
  // Released by the core's timer once the bucket has credit again (~50 ms).
  while (released.load() == 0 && std::chrono::steady_clock::now() - start < 5s)
    io.run_one_for(100ms);
  EXPECT_EQ(released.load(), 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 40ms);
}

TEST_F(broker_limits_test, RatesRefuseAnUnpausablePublisherAndSpareOthers) {
  settings.max_message_rate = 2;
  make();
  auto udp = auth("udp", "mqttsn").value();
  auto other = auth("other", "coap").value();
  EXPECT_TRUE(pub(udp, 1));
  EXPECT_TRUE(pub(udp, 1));
  EXPECT_TRUE(pub(udp, 1));  // into debt
  auto r = pub(udp, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(static_cast<errc>(r.error().value()), errc::quota_exceeded);
  EXPECT_TRUE(pub(other, 1));
}

TEST_F(broker_limits_test, RefuseOverRateRefusesEvenWithAnUnthrottle) {
  settings.max_message_rate = 2;
  make();
  auto sn = auth("sn", "mqttsn").value();
  sn.refuse_over_rate = true;
  std::atomic<int> released{0};
  auto unthrottle = [&] { ++released; };
  for (int i = 0; i < 3; ++i) {  // the third into debt, yet not paused
    auto ok = pub(sn, 1, unthrottle);
    ASSERT_TRUE(ok) << i;
    EXPECT_FALSE(ok.value().throttled) << i;
  }
  auto r = pub(sn, 1, unthrottle);
  ASSERT_FALSE(r);
  EXPECT_EQ(static_cast<errc>(r.error().value()), errc::quota_exceeded);
  EXPECT_EQ(released.load(), 0);
}

TEST_F(broker_limits_test, ByteRateRefusesBigPublishes) {
  settings.max_byte_rate = 1000;
  make();
  auto c = auth("big", "coap").value();
  EXPECT_TRUE(pub(c, 2000));  // admitted with credit, leaves a debt of ~1000 bytes
  EXPECT_FALSE(pub(c, 1));
}

TEST_F(broker_limits_test, InternalPublishersAreNotLimited) {
  settings.max_message_rate = 1;
  make();
  client_info c;
  c.client_id = "$bridge";
  c.protocol = "bridge";
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(pub(c, 1)) << i;
}

TEST_F(broker_limits_test, MaxConnectionsCountsEveryProtocol) {
  settings.max_connections = 3;
  make();
  std::vector<opened_session> open;
  for (const char* p : {"mqtt", "mqttsn", "stomp"}) {
    auto c = auth(std::string("c-") + p, p).value();
    auto s = broker->open_session(c, session_options{}, std::make_shared<null_sink>());
    ASSERT_TRUE(s) << p;
    open.push_back(std::move(s).value());
  }
  auto c = auth("c-coap", "coap").value();
  auto s = broker->open_session(c, session_options{}, std::make_shared<null_sink>());
  ASSERT_FALSE(s);
  EXPECT_EQ(static_cast<errc>(s.error().value()), errc::server_busy);
  broker->close(*open[1].session, close_reason::normal, false);
  EXPECT_TRUE(broker->open_session(c, session_options{}, std::make_shared<null_sink>()));
}

}  // namespace
