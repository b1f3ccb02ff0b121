// broker_core driven through the broker API alone, as adapters use it: no sockets, a fake
// sink, a recording store, and an io_context run only to fire timers.
#include <gtest/gtest.h>

#include <atomic>

#include "fake_store.hpp"
#include "gateway/core/broker_core.hpp"

using namespace edgegw;
using namespace std::chrono_literals;

namespace {

struct fake_sink : delivery_sink {
  std::atomic<int> ready{0};
  std::vector<close_reason> closed;
  void on_ready() override { ++ready; }
  void on_close(close_reason r) override { closed.push_back(r); }
};

struct broker_test : ::testing::Test {
  boost::asio::io_context io;
  test::fake_store store;
  core::core_settings settings = [] {
    core::core_settings s;
    s.sys_interval = 0ms;
    s.max_mqueue_len = 10;
    return s;
  }();
  std::unique_ptr<core::broker_core> broker;

  void SetUp() override { make(); }
  void make() { broker = std::make_unique<core::broker_core>(settings, io.get_executor(), store); }

  struct conn {
    client_info client;
    std::shared_ptr<fake_sink> sink = std::make_shared<fake_sink>();
    session_ptr session;
    bool present = false;
  };

  conn connect(const std::string& id, session_options o = {}, std::string mountpoint = {}) {
    credentials c;
    c.protocol = "mqtt";
    c.client_id = id;
    c.mountpoint = std::move(mountpoint);
    auto info = broker->authenticate(c);
    EXPECT_TRUE(info);
    conn r;
    r.client = info.value();
    auto s = broker->open_session(r.client, o, r.sink);
    EXPECT_TRUE(s);
    r.session = s.value().session;
    r.present = s.value().present;
    return r;
  }

  void sub(conn& c, const std::string& f, uint8_t qos = 0, subscription_options o = {}) {
    o.qos = qos;
    subscription_request req{f, o};
    auto out = broker->subscribe(*c.session, std::span(&req, 1));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].error, errc::ok) << f;
  }

  publish_outcome pub(const conn& c, const std::string& topic, const std::string& payload,
                      uint8_t qos = 0, bool retain = false, std::function<void()> unthrottle = {}) {
    message m;
    m.topic = topic;
    m.payload = payload;
    m.qos = qos;
    m.retain = retain;
    auto r = broker->publish(c.client, make_message(std::move(m)), std::move(unthrottle));
    EXPECT_TRUE(r) << topic;
    return r ? r.value() : publish_outcome{};
  }

  std::vector<delivery> pull(conn& c, std::size_t max = 100) {
    std::vector<delivery> out;
    c.session->pull(out, max);
    return out;
  }
};

}  // namespace

TEST_F(broker_test, publish_reaches_subscriber_at_min_qos) {
  auto a = connect("a"), b = connect("b");
  sub(b, "t/+", 1);
  EXPECT_EQ(pub(a, "t/1", "x", 2).matched, 1u);
  EXPECT_EQ(pub(a, "t/2", "y", 0).matched, 1u);
  EXPECT_EQ(pub(a, "u/1", "z", 0).matched, 0u);
  EXPECT_GE(b.sink->ready.load(), 1);
  auto d = pull(b);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].topic, "t/1");
  EXPECT_EQ(d[0].qos, 1);
  EXPECT_NE(d[0].id, 0);
  EXPECT_EQ(d[1].qos, 0);
  EXPECT_EQ(d[1].id, 0);
  EXPECT_TRUE(b.session->acknowledge(d[0].id, ack_type::puback, 0));
  EXPECT_FALSE(b.session->acknowledge(d[0].id, ack_type::puback, 0));
}

TEST_F(broker_test, overlapping_subscriptions_one_delivery_at_max_qos_with_all_ids) {
  auto a = connect("a"), b = connect("b");
  subscription_options o1, o2;
  o1.subscription_id = 1;
  o2.subscription_id = 2;
  sub(b, "t/#", 0, o1);
  sub(b, "t/+", 2, o2);
  pub(a, "t/x", "p", 2);
  auto d = pull(b);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].qos, 2);
  EXPECT_EQ(d[0].subscription_ids, (std::vector<uint32_t>{1, 2}));
}

TEST_F(broker_test, no_local_MQTT_3_8_3_3) {
  auto a = connect("a");
  subscription_options o;
  o.no_local = true;
  sub(a, "t", 0, o);
  EXPECT_EQ(pub(a, "t", "p").matched, 0u);
  EXPECT_TRUE(pull(a).empty());
}

TEST_F(broker_test, retained_and_retain_handling) {
  auto a = connect("a"), b = connect("b");
  pub(a, "r/1", "one", 1, true);
  pub(a, "r/2", "two", 0, true);
  EXPECT_TRUE(store.has("put_retained r/1"));
  sub(b, "r/#", 1);
  auto d = pull(b);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_TRUE(d[0].retain);
  // retain handling 1: only for a new subscription
  subscription_options o;
  o.retain_handling = 1;
  sub(b, "r/#", 1, o);
  EXPECT_TRUE(pull(b).empty());
  o.retain_handling = 2;
  sub(b, "r/1", 1, o);
  EXPECT_TRUE(pull(b).empty());
  // Live deliveries of retained publishes drop the flag unless retain-as-published.
  pub(a, "r/1", "again", 0, true);
  auto live = pull(b);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_FALSE(live[0].retain);
  // Empty payload deletes [MQTT-3.3.1-6].
  pub(a, "r/1", "", 0, true);
  EXPECT_TRUE(store.has("erase_retained r/1"));
  auto c = connect("c");
  sub(c, "r/1");
  EXPECT_TRUE(pull(c).empty());
  EXPECT_EQ(broker->retained_count(), 1u);
}

TEST_F(broker_test, retained_read_without_subscribing) {
  auto a = connect("a"), m = connect("m", {}, "mp/");
  pub(a, "rr/1", "one", 1, true);
  pub(a, "rr/2", "two", 0, true);
  pub(m, "rr/1", "mounted", 0, true);  // stored as mp/rr/1
  auto one = broker->retained(a.client, "rr/1");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0]->payload, "one");
  EXPECT_EQ(broker->retained(a.client, "rr/#").size(), 2u);
  auto mounted = broker->retained(m.client, "rr/1");
  ASSERT_EQ(mounted.size(), 1u);
  EXPECT_EQ(mounted[0]->payload, "mounted");
  EXPECT_TRUE(broker->retained(a.client, "rr/none").empty());
  // Expired ones are left out.
  message e;
  e.topic = "rr/old";
  e.payload = "gone";
  e.retain = true;
  e.expire_at_ms = unix_ms_now() - 1;
  EXPECT_TRUE(broker->publish(a.client, make_message(std::move(e)), {}));
  EXPECT_TRUE(broker->retained(a.client, "rr/old").empty());
  // Reading subscribes nothing.
  EXPECT_EQ(broker->subscription_count(), 0u);
}

TEST_F(broker_test, inflight_window_and_ready_signal) {
  auto a = connect("a");
  session_options so;
  so.receive_maximum = 2;
  auto b = connect("b", so);
  sub(b, "t", 1);
  for (int i = 0; i < 5; ++i) pub(a, "t", std::to_string(i), 1);
  EXPECT_EQ(b.sink->ready.load(), 1);  // one signal until the next short pull
  auto d = pull(b);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(b.session->stats().queued, 3u);
  int before = b.sink->ready.load();
  b.session->acknowledge(d[0].id, ack_type::puback, 0);
  EXPECT_EQ(b.sink->ready.load(), before + 1);
  auto d2 = pull(b);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].msg->payload, "2");  // order kept
}

TEST_F(broker_test, qos2_outbound_flow) {
  auto a = connect("a"), b = connect("b");
  sub(b, "t", 2);
  pub(a, "t", "p", 2);
  auto d = pull(b);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(b.session->acknowledge(d[0].id, ack_type::pubcomp, 0));  // not released yet
  EXPECT_TRUE(b.session->acknowledge(d[0].id, ack_type::pubrec, 0));
  EXPECT_TRUE(b.session->acknowledge(d[0].id, ack_type::pubcomp, 0));
  EXPECT_EQ(b.session->stats().inflight, 0u);
}

TEST_F(broker_test, incoming_qos2_duplicates_and_limit) {
  settings.limits.max_awaiting_rel = 2;
  make();
  auto a = connect("a");
  errc e;
  EXPECT_TRUE(a.session->begin_incoming_qos2(1, &e));
  EXPECT_FALSE(a.session->begin_incoming_qos2(1, &e));
  EXPECT_EQ(e, errc::ok);
  EXPECT_TRUE(a.session->begin_incoming_qos2(2, &e));
  EXPECT_FALSE(a.session->begin_incoming_qos2(3, &e));
  EXPECT_EQ(e, errc::quota_exceeded);
  EXPECT_TRUE(a.session->release_incoming_qos2(1));
  EXPECT_FALSE(a.session->release_incoming_qos2(1));
}

TEST_F(broker_test, persistent_session_queues_offline_and_resends_inflight_on_resume) {
  auto a = connect("a");
  session_options so;
  so.clean_start = false;
  so.expiry_interval = 100;
  auto b = connect("b", so);
  EXPECT_FALSE(b.present);
  sub(b, "t", 1);
  EXPECT_TRUE(store.has("put_subscription b t"));
  pub(a, "t", "first", 1);
  auto d = pull(b);
  ASSERT_EQ(d.size(), 1u);
  broker->close(*b.session, close_reason::connection_lost, true);
  pub(a, "t", "second", 1);
  pub(a, "t", "zero", 0);  // QoS 0 is queued for offline sessions too (mqueue_store_qos0)
  EXPECT_TRUE(store.has("put_message b"));
  auto b2 = connect("b", so);
  EXPECT_TRUE(b2.present);
  EXPECT_GE(b2.sink->ready.load(), 1);
  auto r = pull(b2);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].msg->payload, "first");
  EXPECT_TRUE(r[0].dup);
  EXPECT_EQ(r[0].id, d[0].id);  // same packet id after resume
  EXPECT_EQ(r[1].msg->payload, "second");
  EXPECT_FALSE(r[1].dup);
  EXPECT_EQ(r[2].msg->payload, "zero");
}

TEST_F(broker_test, offline_queue_limit_drop_oldest_and_newest) {
  for (auto policy : {core::overflow_policy::drop_oldest, core::overflow_policy::drop_newest}) {
    settings.mqueue_overflow = policy;
    make();
    auto a = connect("a");
    session_options so;
    so.clean_start = false;
    so.expiry_interval = 100;
    auto b = connect("b", so);
    sub(b, "t", 1);
    broker->close(*b.session, close_reason::connection_lost, false);
    for (int i = 0; i < 15; ++i) pub(a, "t", std::to_string(i), 1);
    EXPECT_EQ(broker->metrics().messages_dropped.load(), 5u);
    auto b2 = connect("b", so);
    auto r = pull(b2);
    ASSERT_EQ(r.size(), 10u);
    EXPECT_EQ(r.front().msg->payload, policy == core::overflow_policy::drop_oldest ? "5" : "0");
  }
}

TEST_F(broker_test, takeover_closes_old_connection_and_stales_its_handle) {
  session_options so;
  so.clean_start = false;
  so.expiry_interval = 60;
  auto a1 = connect("a", so);
  sub(a1, "t");
  auto a2 = connect("a", so);
  EXPECT_TRUE(a2.present);
  ASSERT_EQ(a1.sink->closed.size(), 1u);
  EXPECT_EQ(a1.sink->closed[0], close_reason::taken_over);
  // The stale handle cannot close the new connection's session.
  broker->close(*a1.session, close_reason::connection_lost, true);
  auto p = connect("p");
  EXPECT_EQ(pub(p, "t", "x").matched, 1u);
  EXPECT_EQ(pull(a2).size(), 1u);
  EXPECT_TRUE(pull(a1).empty());
}

TEST_F(broker_test, takeover_of_a_session_ending_with_its_connection_starts_fresh) {
  auto a1 = connect("a");  // expiry 0
  sub(a1, "t");
  session_options so;
  so.clean_start = false;
  auto a2 = connect("a", so);
  EXPECT_FALSE(a2.present);  // [MQTT-3.2.2-3]
  auto p = connect("p");
  EXPECT_EQ(pub(p, "t", "x").matched, 0u);
}

TEST_F(broker_test, will_published_on_lost_connection_only) {
  auto w = connect("watcher");
  sub(w, "will/#");
  for (bool send : {true, false}) {
    session_options so;
    message m;
    m.topic = "will/x";
    m.payload = send ? "sent" : "not";
    so.will = will_message{make_message(std::move(m)), 0};
    auto c = connect("c", so);
    broker->close(*c.session, send ? close_reason::connection_lost : close_reason::normal, send);
  }
  auto d = pull(w);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].msg->payload, "sent");
}

TEST_F(broker_test, will_delay_cancelled_by_resume_and_fired_after_delay) {
  auto w = connect("watcher");
  sub(w, "will");
  session_options so;
  so.clean_start = false;
  so.expiry_interval = 60;
  message m;
  m.topic = "will";
  m.payload = "late";
  so.will = will_message{make_message(std::move(m)), 1};
  auto c = connect("c", so);
  broker->close(*c.session, close_reason::connection_lost, true);
  auto c2 = connect("c", so);  // resumed within the delay: no will
  io.run_for(1500ms);
  EXPECT_TRUE(pull(w).empty());
  broker->close(*c2.session, close_reason::connection_lost, true);
  io.restart();
  for (int i = 0; i < 50 && w.sink->ready.load() == 0; ++i) io.run_for(100ms);
  auto d = pull(w);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].msg->payload, "late");
}

TEST_F(broker_test, session_expiry_ends_session) {
  session_options so;
  so.clean_start = false;
  so.expiry_interval = 1;
  auto c = connect("c", so);
  sub(c, "t");
  broker->close(*c.session, close_reason::connection_lost, false);
  EXPECT_EQ(broker->session_count(), 1u);
  for (int i = 0; i < 50 && broker->session_count() != 0; ++i) io.run_for(100ms);
  EXPECT_EQ(broker->session_count(), 0u);
  EXPECT_EQ(broker->subscription_count(), 0u);
  EXPECT_TRUE(store.has("erase_session c"));
}

TEST_F(broker_test, shared_subscription_round_robin) {
  auto p = connect("p"), m1 = connect("m1"), m2 = connect("m2");
  sub(m1, "$share/g/t", 0);
  sub(m2, "$share/g/t", 0);
  for (int i = 0; i < 10; ++i) pub(p, "t", "x");
  EXPECT_EQ(pull(m1).size(), 5u);
  EXPECT_EQ(pull(m2).size(), 5u);
  sub(m1, "$queue/t", 0);
  pub(p, "t", "y");
  EXPECT_EQ(pull(m1).size() + pull(m2).size(), 2u);  // one per group
}

TEST_F(broker_test, delayed_publish) {
  auto p = connect("p"), s = connect("s");
  sub(s, "later");
  pub(p, "$delayed/1/later", "x");
  EXPECT_TRUE(pull(s).empty());
  EXPECT_EQ(broker->delayed_count(), 1u);
  for (int i = 0; i < 50 && s.sink->ready.load() == 0; ++i) io.run_for(100ms);
  EXPECT_EQ(pull(s).size(), 1u);
  message bad;
  bad.topic = "$delayed/x/later";
  EXPECT_FALSE(broker->publish(p.client, make_message(bad), {}));
}

TEST_F(broker_test, mountpoint_applied_and_stripped) {
  auto plain = connect("plain");
  auto g = connect("dev1", {}, "gw/${clientid}/");
  EXPECT_EQ(g.client.mountpoint, "gw/dev1/");
  sub(plain, "gw/#");
  sub(g, "cmd");
  pub(g, "up", "x");
  auto d = pull(plain);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].topic, "gw/dev1/up");
  pub(plain, "gw/dev1/cmd", "y");
  auto d2 = pull(g);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].topic, "cmd");
}

TEST_F(broker_test, clients_cannot_publish_sys) {
  auto a = connect("a");
  message m;
  m.topic = "$SYS/broker/uptime";
  auto r = broker->publish(a.client, make_message(m), {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::not_authorized);
}

TEST_F(broker_test, throttles_publisher_until_subscriber_drains) {
  auto a = connect("a");
  session_options so;
  so.receive_maximum = 1;
  auto b = connect("b", so);
  sub(b, "t", 1);
  int woken = 0;
  bool throttled = false;
  for (int i = 0; i < 8 && !throttled; ++i)
    throttled = pub(a, "t", "x", 1, false, [&] { ++woken; }).throttled;
  EXPECT_TRUE(throttled);  // queue reached half of max_mqueue_len (10)
  EXPECT_EQ(woken, 0);
  std::vector<delivery> d;
  while (b.session->pull(d, 1) == 1) {
    b.session->acknowledge(d.back().id, ack_type::puback, 0);
  }
  EXPECT_GE(woken, 1);
}

TEST_F(broker_test, assigned_client_id_and_limits) {
  credentials c;
  c.protocol = "mqtt";
  auto r = broker->authenticate(c);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r.value().client_id_assigned);
  EXPECT_EQ(r.value().client_id.rfind("edgegw-", 0), 0u);
  settings.allow_empty_clientid = false;
  settings.max_connections = 1;
  make();
  EXPECT_EQ(broker->authenticate(c).error(), errc::client_id_invalid);
  connect("one");
  credentials c2;
  c2.client_id = "two";
  auto info = broker->authenticate(c2);
  ASSERT_TRUE(info);
  auto s = broker->open_session(info.value(), {}, std::make_shared<fake_sink>());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error(), errc::server_busy);
}

TEST_F(broker_test, stuck_subscriber_holds_publishers_only_for_flow_control_timeout) {
  settings.flow_control_timeout = 200ms;
  make();
  auto a = connect("a");
  session_options so;
  so.receive_maximum = 1;
  auto b = connect("b", so);
  sub(b, "t", 1);
  int woken = 0;
  bool throttled = false;
  for (int i = 0; i < 8 && !throttled; ++i)
    throttled = pub(a, "t", "x", 1, false, [&] { ++woken; }).throttled;
  ASSERT_TRUE(throttled);
  for (int i = 0; i < 50 && woken == 0; ++i) io.run_for(50ms);
  EXPECT_EQ(woken, 1);
  // Now stalled: further publishes are not held, and the queue limit drops instead.
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(pub(a, "t", "x", 1, false, [&] { ++woken; }).throttled);
  EXPECT_GT(broker->metrics().messages_dropped_queue_full.load(), 0u);
}

TEST_F(broker_test, qos1_ack_held_until_persisted_message_is_committed) {
  auto a = connect("a");
  session_options so;
  so.clean_start = false;
  so.expiry_interval = 100;
  auto b = connect("b", so);
  sub(b, "t", 1);
  broker->close(*b.session, close_reason::connection_lost, false);
  store.hold_commits = true;
  int acked = 0;
  EXPECT_TRUE(pub(a, "t", "x", 1, false, [&] { ++acked; }).throttled);
  EXPECT_EQ(acked, 0);
  ASSERT_EQ(store.commit_waiters.size(), 1u);
  store.commit_waiters[0]();
  EXPECT_EQ(acked, 1);
  // QoS 0, or nothing persisted: acknowledged at once, no callback.
  EXPECT_FALSE(pub(a, "t", "y", 0, false, [&] { ++acked; }).throttled);
  EXPECT_FALSE(pub(a, "other", "z", 1, false, [&] { ++acked; }).throttled);
  EXPECT_EQ(acked, 1);
}

TEST_F(broker_test, connected_qos0_backlog_bounded_separately_from_mqueue) {
  settings.max_mqueue_len = 2;
  settings.max_qos0_backlog = 4;
  make();
  auto a = connect("a"), b = connect("b");
  sub(b, "t", 1);
  for (int i = 0; i < 6; ++i) pub(a, "t", "q0-" + std::to_string(i), 0);
  for (int i = 0; i < 3; ++i) pub(a, "t", "q1-" + std::to_string(i), 1);
  EXPECT_EQ(broker->metrics().messages_dropped_queue_full.load(), 3u);  // 2 QoS 0 + 1 QoS 1
  auto d = pull(b);
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0].msg->payload, "q0-2");  // drop_oldest within QoS 0
  EXPECT_EQ(d[4].msg->payload, "q1-1");  // and within QoS 1
}

namespace {

// A sink that takes messages at routing time, as the bridge's spool does.
struct taking_sink : fake_sink {
  struct taken {
    message_ptr msg;
    uint8_t qos;
    bool retain;
  };
  std::vector<taken> got;
  std::vector<std::function<void()>> holds;
  bool hold_now = false;  // release the hold before returning
  bool take(const message_ptr& msg, uint8_t qos, bool retain,
            const std::function<void()>* hold) override {
    got.push_back({msg, qos, retain});
    if (hold) {
      if (hold_now) {
        (*hold)();
      } else {
        holds.push_back(*hold);
      }
    }
    return true;
  }
};

}  // namespace

TEST_F(broker_test, sink_take_bypasses_queue_and_holds_ack_until_released) {
  auto a = connect("a"), other = connect("other");
  credentials c;
  c.protocol = "bridge";
  c.client_id = "br";
  auto info = broker->authenticate(c);
  ASSERT_TRUE(info);
  auto sink = std::make_shared<taking_sink>();
  auto s = broker->open_session(info.value(), {}, sink);
  ASSERT_TRUE(s);
  conn br{info.value(), sink, s.value().session, false};
  subscription_options o;
  o.no_local = true;
  o.retain_as_published = true;
  sub(br, "f/#", 1, o);
  sub(other, "f/#", 1);

  int acked = 0;
  auto r = pub(a, "f/1", "x", 1, true, [&] { ++acked; });
  EXPECT_EQ(r.matched, 2u);
  EXPECT_TRUE(r.throttled);  // the publisher's ack waits for the sink
  ASSERT_EQ(sink->got.size(), 1u);
  EXPECT_EQ(sink->got[0].msg->payload, "x");
  EXPECT_EQ(sink->got[0].qos, 1);
  EXPECT_TRUE(sink->got[0].retain);  // retain as published
  EXPECT_EQ(sink->ready.load(), 0);  // nothing queued in the session
  EXPECT_TRUE(pull(br).empty());
  EXPECT_EQ(pull(other).size(), 1u);  // other subscribers are unaffected
  EXPECT_EQ(acked, 0);
  ASSERT_EQ(sink->holds.size(), 1u);
  sink->holds[0]();
  EXPECT_EQ(acked, 1);

  // Released before returning: not throttled, no callback.
  sink->hold_now = true;
  EXPECT_FALSE(pub(a, "f/2", "y", 1, false, [&] { ++acked; }).throttled);
  EXPECT_EQ(acked, 1);
  // No publisher to hold (no on_unthrottle): the sink gets no hold.
  sink->hold_now = false;
  pub(a, "f/3", "z", 0);
  EXPECT_EQ(sink->got.size(), 3u);
  EXPECT_EQ(sink->holds.size(), 1u);
  // no-local: what the sink's own client publishes is not handed back to it.
  pub(br, "f/4", "w", 1);
  EXPECT_EQ(sink->got.size(), 3u);
}
