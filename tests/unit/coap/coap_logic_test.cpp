// protocols/coap/gateway/gateway_logic driven Sans-I/O: requests in, responses,
// notifications and broker calls out, time injected (SPEC section 6).
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "protocols/coap/gateway/gateway_logic.hpp"

using namespace edgegw;
using namespace edgegw::coap;
using namespace std::chrono_literals;

namespace {

class mem_session final : public session {
 public:
  explicit mem_session(client_info c) : info(std::move(c)) {}
  const client_info& client() const noexcept override { return info; }
  std::size_t pull(std::vector<delivery>& out, std::size_t max) override {
    std::size_t n = 0;
    while (n < max && !queue.empty()) {
      out.push_back(queue.front());
      queue.pop_front();
      ++n;
    }
    return n;
  }
  bool acknowledge(uint16_t id, ack_type t, uint8_t) override {
    acks.emplace_back(id, t);
    return true;
  }
  bool begin_incoming_qos2(uint16_t, errc*) override { return true; }
  bool release_incoming_qos2(uint16_t) override { return true; }
  void set_will(std::optional<will_message>) override {}
  void set_expiry_interval(uint32_t) override {}
  session_stats stats() const override { return {}; }

  client_info info;
  std::deque<delivery> queue;
  std::vector<std::pair<uint16_t, ack_type>> acks;
  std::vector<std::string> filters;
  bool closed = false;
  std::shared_ptr<delivery_sink> sink;
};

class mem_broker final : public broker {
 public:
  result<client_info> authenticate(const credentials& c) override {
    if (c.username && passwords.count(*c.username) &&
        (!c.password || *c.password != passwords[*c.username]))
      return errc::bad_credentials;
    if (!c.username && !allow_anonymous) return errc::not_authorized;
    client_info i;
    i.client_id = c.client_id;
    i.username = c.username.value_or("");
    i.protocol = c.protocol;
    i.peer = c.peer;
    return i;
  }
  // With defer_auth, answers come when the test calls answer_auth() (an HTTP hook).
  void authenticate_async(const credentials& c, authenticate_handler done) override {
    if (!defer_auth) return done(authenticate(c));
    waiting_auth.emplace_back(c, std::move(done));
  }
  void answer_auth() {
    auto w = std::move(waiting_auth);
    waiting_auth.clear();
    for (auto& [c, done] : w) done(authenticate(c));
  }
  bool defer_auth = false;
  std::vector<std::pair<credentials, authenticate_handler>> waiting_auth;
  result<opened_session> open_session(const client_info& c, const session_options&,
                                      std::shared_ptr<delivery_sink> sink) override {
    auto s = std::make_shared<mem_session>(c);
    s->sink = std::move(sink);
    sessions.push_back(s);
    return opened_session{s, false};
  }
  bool authorize(const client_info&, action a, std::string_view topic) override {
    return !(a == action::subscribe && topic.starts_with("secret"));
  }
  result<publish_outcome> publish(const client_info& c, message_ptr m,
                                  std::function<void()>) override {
    if (m->topic.starts_with("secret")) return errc::not_authorized;
    published.emplace_back(c.client_id, m);
    return publish_outcome{1, false};
  }
  std::vector<subscribe_outcome> subscribe(session& s,
                                           std::span<const subscription_request> subs) override {
    std::vector<subscribe_outcome> out;
    for (auto& r : subs) {
      if (r.filter.starts_with("secret")) {
        out.push_back({errc::not_authorized, 0});
        continue;
      }
      static_cast<mem_session&>(s).filters.push_back(r.filter);
      out.push_back({errc::ok, r.options.qos});
      sub_qos.push_back(r.options.qos);
    }
    return out;
  }
  std::vector<errc> unsubscribe(session& s, std::span<const std::string> filters) override {
    auto& fs = static_cast<mem_session&>(s).filters;
    for (auto& f : filters) std::erase(fs, f);
    return std::vector<errc>(filters.size(), errc::ok);
  }
  void close(session& s, close_reason r, bool) override {
    static_cast<mem_session&>(s).closed = true;
    close_reasons.push_back(r);
  }
  std::vector<message_ptr> retained(const client_info&, std::string_view f) override {
    if (auto it = retained_msgs.find(std::string(f)); it != retained_msgs.end())
      return {it->second};
    return {};
  }
  broker_metrics& metrics() noexcept override { return metrics_; }
  const broker_limits& limits() const noexcept override { return lim; }

  broker_limits lim;
  bool allow_anonymous = true;
  std::map<std::string, std::string> passwords;
  std::vector<std::shared_ptr<mem_session>> sessions;
  std::vector<std::pair<std::string, message_ptr>> published;
  std::vector<uint8_t> sub_qos;
  std::vector<close_reason> close_reasons;
  std::map<std::string, message_ptr> retained_msgs;
  broker_metrics metrics_;
};

class mem_transport final : public transport {
 public:
  void notify(const observer_id& to, const notification& n) override {
    sent.push_back({to, std::string(n.payload), n.content_format, n.confirmable, n.seq, n.tag});
  }
  void forget(const observer_id& o) override { forgotten.push_back(o); }
  void post(std::function<void()> fn) override { posted.push_back(std::move(fn)); }
  void resume(const observer_id& r) override { resumed.push_back(r); }
  void run() {
    while (!posted.empty()) {
      auto fn = std::move(posted.front());
      posted.pop_front();
      fn();
    }
  }
  struct sent_n {
    observer_id to;
    std::string payload;
    std::optional<uint16_t> cf;
    bool con;
    uint32_t seq;
    uint64_t tag;
  };
  std::vector<sent_n> sent;
  std::vector<observer_id> forgotten;
  std::vector<observer_id> resumed;
  std::deque<std::function<void()>> posted;
};

struct CoapLogic : ::testing::Test {
  mem_broker b;
  mem_transport t;
  gateway_settings s;
  std::unique_ptr<gateway_logic> g;
  clock::time_point now = clock::time_point() + 1h;

  void make() { g = std::make_unique<gateway_logic>(b, s, t); }
  void SetUp() override { make(); }

  response req(method m, std::vector<std::string> path, std::vector<std::string> q = {},
               std::string_view payload = {}, bool con = true,
               std::optional<uint32_t> observe = std::nullopt, std::string token = "tk",
               std::string peer = "127.0.0.1:4000") {
    request r;
    r.verb = m;
    r.confirmable = con;
    r.path = std::move(path);
    r.query = std::move(q);
    r.payload = payload;
    r.observe = observe;
    r.peer = peer;
    r.listener = "coap";
    r.observer = {7, token};
    return g->handle(r, now);
  }
  void deliver(const std::string& topic, const std::string& payload, uint8_t qos, uint16_t id,
               std::size_t session_index = 0) {
    message m;
    m.topic = topic;
    m.payload = payload;
    m.qos = qos;
    auto& sess = *b.sessions.at(session_index);
    delivery d;
    d.msg = make_message(std::move(m));
    d.topic = d.msg->topic;
    d.id = id;
    d.qos = qos;
    sess.queue.push_back(std::move(d));
    sess.sink->on_ready();
    t.run();
  }
};

TEST_F(CoapLogic, PublishQosFollowsMessageTypeWithoutQuery) {
  EXPECT_EQ(req(method::post, {"ps", "a", "b"}, {}, "x", true).code, 204);
  EXPECT_EQ(req(method::put, {"ps", "a", "b"}, {}, "y", false).code, 204);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"qos=2", "retain=true", "expiry=10"}, "z", false).code,
            204);
  ASSERT_EQ(b.published.size(), 3u);
  EXPECT_EQ(b.published[0].second->topic, "a/b");
  EXPECT_EQ(b.published[0].second->qos, 1);
  EXPECT_EQ(b.published[1].second->qos, 0);
  EXPECT_EQ(b.published[2].second->qos, 2);
  EXPECT_TRUE(b.published[2].second->retain);
  EXPECT_GT(b.published[2].second->expire_at_ms, 0);
  EXPECT_EQ(b.published[0].first, "coap-127.0.0.1:4000");  // the peer names the session
  EXPECT_EQ(b.sessions.size(), 1u);
}

TEST_F(CoapLogic, ContentFormatTravelsAsUserProperty) {
  request r;
  r.verb = method::post;
  r.path = {"ps", "cf"};
  r.payload = "{}";
  r.content_format = 50;
  r.peer = "p";
  EXPECT_EQ(g->handle(r, now).code, 204);
  ASSERT_EQ(b.published.size(), 1u);
  ASSERT_EQ(b.published[0].second->user_properties.size(), 1u);
  EXPECT_EQ(b.published[0].second->user_properties[0].key, "content-format");
  EXPECT_EQ(b.published[0].second->user_properties[0].value, "50");
}

TEST_F(CoapLogic, BadRequests) {
  EXPECT_EQ(req(method::post, {"ps"}).code, 400);
  EXPECT_EQ(req(method::post, {"nothing"}).code, 404);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"qos=5"}).code, 400);
  EXPECT_EQ(req(method::post, {"ps", "a", "+"}).code, 400);
  EXPECT_EQ(req(method::del, {"ps", "a"}).code, 405);
  b.lim.max_packet_size = 4;
  EXPECT_EQ(req(method::post, {"ps", "a"}, {}, "12345").code, 413);
  EXPECT_EQ(b.metrics().packets_malformed.load(), 4u);  // the 4.00s and the 4.13
  EXPECT_TRUE(b.published.empty());
}

TEST_F(CoapLogic, AuthenticationAndAcl) {
  b.passwords["alice"] = "pw";
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d1", "u=alice", "p=wrong"}).code, 401);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d1", "u=alice", "p=pw"}).code, 204);
  EXPECT_EQ(req(method::post, {"ps", "secret"}, {"c=d1", "u=alice", "p=pw"}).code, 403);
  EXPECT_EQ(req(method::get, {"ps", "secret"}, {"c=d1"}, {}, true, 0).code, 403);
  // Same client id, other credentials: authenticated again, and refused.
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d1", "u=alice", "p=bad"}).code, 401);
  b.allow_anonymous = false;
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d2"}).code, 401);
  EXPECT_EQ(g->counters().unauthorized.load(), 3u);
  EXPECT_EQ(g->counters().forbidden.load(), 2u);
}

TEST_F(CoapLogic, SlowAuthenticationDefersTheAnswer) {
  b.passwords["alice"] = "pw";
  b.defer_auth = true;
  // Deferred (code 0), then resumed with the answer: the same request handled again.
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d1", "u=alice", "p=pw"}, "x", true, {}, "A").code,
            0);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d2", "u=alice", "p=no"}, "y", true, {}, "B").code,
            0);
  EXPECT_EQ(g->pending_authentications(), 2u);
  EXPECT_TRUE(b.published.empty());
  b.answer_auth();
  EXPECT_TRUE(t.resumed.empty());  // answers come through post(), on the gateway's thread
  t.run();
  ASSERT_EQ(t.resumed.size(), 2u);
  EXPECT_EQ(t.resumed[0].token, "A");
  EXPECT_EQ(g->pending_authentications(), 0u);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d1", "u=alice", "p=pw"}, "x", true, {}, "A").code,
            204);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d2", "u=alice", "p=no"}, "y", true, {}, "B").code,
            401);
  ASSERT_EQ(b.published.size(), 1u);
  EXPECT_EQ(b.published[0].second->payload, "x");
  // The known client needs no new authentication.
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d1", "u=alice", "p=pw"}, "z", true, {}, "C").code,
            204);
  // An answer is used once: the same token again authenticates again.
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=d2", "u=alice", "p=no"}, "y", true, {}, "B").code,
            0);
}

TEST_F(CoapLogic, MaxConnRateRefusesNewSessionsWith503AndMaxAge) {
  s.max_conn_rate = 2;
  make();
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=r1"}).code, 204);
  EXPECT_EQ(req(method::post, {"mqtt", "connection"}, {"clientid=r2"}).code, 201);
  auto r = req(method::post, {"ps", "a"}, {"c=r3"});
  EXPECT_EQ(r.code, 503);
  EXPECT_EQ(r.max_age, 1u);
  // Known sessions are not new connections.
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=r1"}).code, 204);
  now += 500ms;  // one token back
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=r3"}).code, 204);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=r4"}).code, 503);
  EXPECT_EQ(g->counters().over_limit.load(), 2u);
}

TEST_F(CoapLogic, ObserveNotifiesAndDeregisters) {
  auto r = req(method::get, {"ps", "s", "%23"}, {"c=obs"}, {}, true, 0, "T1");
  ASSERT_EQ(r.code, 205);
  ASSERT_TRUE(r.observe);
  EXPECT_EQ(b.sessions[0]->filters, std::vector<std::string>{"s/#"});
  EXPECT_EQ(b.sub_qos.back(), 1);  // CON GET
  deliver("s/x", "one", 1, 11);
  deliver("s/y", "two", 0, 0);
  deliver("other", "no", 0, 0);
  ASSERT_EQ(t.sent.size(), 2u);
  EXPECT_EQ(t.sent[0].payload, "one");
  EXPECT_TRUE(t.sent[0].con);  // QoS 1 -> CON (notify_type = qos)
  EXPECT_FALSE(t.sent[1].con);
  EXPECT_GT(t.sent[1].seq, t.sent[0].seq);
  EXPECT_GT(t.sent[0].seq, *r.observe);
  EXPECT_EQ(t.sent[0].to.token, "T1");
  // Acknowledged to the broker once the client acknowledged the CON notification.
  EXPECT_NE(t.sent[0].tag, 0u);
  EXPECT_EQ(t.sent[1].tag, 0u);
  EXPECT_TRUE(b.sessions[0]->acks.empty());
  EXPECT_EQ(g->counters().notifications.load(), 1u);  // the NON one
  g->on_con_result(t.sent[0].tag, true);
  ASSERT_FALSE(b.sessions[0]->acks.empty());
  EXPECT_EQ(b.sessions[0]->acks[0], std::make_pair(uint16_t(11), ack_type::puback));
  EXPECT_EQ(g->counters().notifications.load(), 2u);
  EXPECT_EQ(g->unconfirmed(), 0u);
  EXPECT_EQ(req(method::get, {"ps", "s", "%23"}, {"c=obs"}, {}, true, 1, "T1").code, 205);
  EXPECT_TRUE(b.sessions[0]->filters.empty());
  EXPECT_EQ(g->observers(), 0u);
  ASSERT_EQ(t.forgotten.size(), 1u);
}

TEST_F(CoapLogic, LostConNotificationLeavesTheDeliveryUnacknowledged) {
  ASSERT_EQ(req(method::get, {"ps", "q", "+"}, {"c=q", "qos=2"}, {}, true, 0, "T1").code, 205);
  ASSERT_EQ(req(method::get, {"ps", "q", "a"}, {"c=q", "qos=2"}, {}, true, 0, "T2").code, 205);
  deliver("q/a", "both", 2, 21);  // two observers match: two CONs, one tag
  ASSERT_EQ(t.sent.size(), 2u);
  EXPECT_EQ(t.sent[0].tag, t.sent[1].tag);
  g->on_con_result(t.sent[0].tag, true);
  EXPECT_TRUE(b.sessions[0]->acks.empty());  // waits for the other one
  g->on_con_result(t.sent[1].tag, false);
  EXPECT_TRUE(b.sessions[0]->acks.empty());  // lost: never acknowledged
  EXPECT_EQ(g->unconfirmed(), 0u);
  deliver("q/a", "again", 2, 22);
  g->on_con_result(t.sent[2].tag, true);
  g->on_con_result(t.sent[3].tag, true);
  ASSERT_EQ(b.sessions[0]->acks.size(), 2u);  // PUBREC + PUBCOMP of 22 only
  EXPECT_EQ(b.sessions[0]->acks[0], std::make_pair(uint16_t(22), ack_type::pubrec));
  EXPECT_EQ(b.sessions[0]->acks[1], std::make_pair(uint16_t(22), ack_type::pubcomp));
}

TEST_F(CoapLogic, NotifyTypeConAndNonProbe) {
  s.notify = notify_mode::non;
  s.con_probe_every = 3;
  make();
  ASSERT_EQ(req(method::get, {"ps", "n"}, {"c=x"}, {}, false, 0).code, 205);
  EXPECT_EQ(b.sub_qos.back(), 0);  // NON GET
  for (int i = 0; i < 3; ++i) deliver("n", "m", 1, uint16_t(i + 1));
  ASSERT_EQ(t.sent.size(), 3u);
  EXPECT_FALSE(t.sent[0].con);
  EXPECT_FALSE(t.sent[1].con);
  EXPECT_TRUE(t.sent[2].con);  // the liveness probe
}

TEST_F(CoapLogic, LostObserverIsRemoved) {
  ASSERT_EQ(req(method::get, {"ps", "l"}, {"c=x"}, {}, true, 0, "TL").code, 205);
  g->on_nack({7, "other"});
  EXPECT_EQ(g->observers(), 1u);
  g->on_nack({7, "TL"});
  EXPECT_EQ(g->observers(), 0u);
  EXPECT_TRUE(b.sessions[0]->filters.empty());
  EXPECT_EQ(g->counters().observers_lost.load(), 1u);
}

TEST_F(CoapLogic, PlainGetReadsRetained) {
  EXPECT_EQ(req(method::get, {"ps", "r"}).code, 404);
  message m;
  m.topic = "r";
  m.payload = "kept";
  m.user_properties.push_back({"content-format", "60"});
  b.retained_msgs["r"] = make_message(m);
  auto r = req(method::get, {"ps", "r"});
  EXPECT_EQ(r.code, 205);
  EXPECT_EQ(r.payload, "kept");
  EXPECT_EQ(r.content_format, 60);
  EXPECT_EQ(req(method::get, {"ps", "secret"}).code, 403);
}

TEST_F(CoapLogic, ConnectionMode) {
  s.connection_required = true;
  make();
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=dev"}).code, 401);
  auto c = req(method::post, {"mqtt", "connection"}, {"clientid=dev", "username=u", "password=p"});
  ASSERT_EQ(c.code, 201);
  ASSERT_FALSE(c.payload.empty());
  std::string tok = "token=" + c.payload;
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"clientid=dev", tok}, "x").code, 204);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"clientid=dev", "token=nope"}, "x").code, 401);
  EXPECT_EQ(req(method::put, {"mqtt", "connection"}, {"clientid=dev", tok}).code, 204);
  // Heartbeat: silent for more than 1.5 x heartbeat closes the session.
  now += s.heartbeat;
  g->tick(now);
  EXPECT_EQ(g->clients(), 1u);
  now += s.heartbeat;
  g->tick(now);
  EXPECT_EQ(g->clients(), 0u);
  EXPECT_EQ(b.close_reasons.back(), close_reason::keepalive_timeout);
  c = req(method::post, {"mqtt", "connection"}, {"clientid=dev"});
  ASSERT_EQ(c.code, 201);
  EXPECT_EQ(req(method::del, {"mqtt", "connection"}, {"clientid=dev", "token=" + c.payload}).code,
            202);
  EXPECT_EQ(g->clients(), 0u);
  EXPECT_EQ(b.close_reasons.back(), close_reason::normal);
}

TEST_F(CoapLogic, ConnectionlessIdleExpiryKeepsObservers) {
  ASSERT_EQ(req(method::post, {"ps", "a"}, {"c=idle"}).code, 204);
  ASSERT_EQ(req(method::get, {"ps", "o"}, {"c=watch"}, {}, true, 0).code, 205);
  now += s.idle_timeout + 1s;
  g->tick(now);
  EXPECT_EQ(g->client_ids(), std::vector<std::string>{"watch"});
}

TEST_F(CoapLogic, ObserverLimits) {
  s.max_observers_per_client = 2;
  s.max_observers = 3;
  make();
  EXPECT_EQ(req(method::get, {"ps", "1"}, {"c=a"}, {}, true, 0, "1").code, 205);
  EXPECT_EQ(req(method::get, {"ps", "2"}, {"c=a"}, {}, true, 0, "2").code, 205);
  EXPECT_EQ(req(method::get, {"ps", "3"}, {"c=a"}, {}, true, 0, "3").code, 503);
  EXPECT_EQ(req(method::get, {"ps", "1"}, {"c=a"}, {}, true, 0, "4").code, 205);  // re-register
  EXPECT_EQ(req(method::get, {"ps", "1"}, {"c=b"}, {}, true, 0, "5").code, 205);
  EXPECT_EQ(req(method::get, {"ps", "2"}, {"c=b"}, {}, true, 0, "6").code, 503);
  EXPECT_EQ(g->observers(), 3u);
}

TEST_F(CoapLogic, ClientLimit) {
  s.max_clients = 1;
  make();
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=one"}).code, 204);
  EXPECT_EQ(req(method::post, {"ps", "a"}, {"c=two"}).code, 503);
}

TEST_F(CoapLogic, SessionClosedByCoreDropsObservers) {
  ASSERT_EQ(req(method::get, {"ps", "k"}, {"c=kick"}, {}, true, 0).code, 205);
  b.sessions[0]->sink->on_close(close_reason::kicked);
  t.run();
  EXPECT_EQ(g->clients(), 0u);
  EXPECT_EQ(g->observers(), 0u);
  EXPECT_EQ(t.forgotten.size(), 1u);
}

TEST_F(CoapLogic, LegacyEmqx4Paths) {
  EXPECT_EQ(req(method::put, {"mqtt", "t", "x"}, {"c=old", "u=u", "p=p"}, "v").code, 204);
  ASSERT_EQ(b.published.size(), 1u);
  EXPECT_EQ(b.published[0].second->topic, "t/x");
  EXPECT_EQ(req(method::get, {"mqtt", "t", "+"}, {"c=old", "u=u", "p=p"}, {}, true, 0).code, 205);
  EXPECT_EQ(b.sessions[0]->filters, std::vector<std::string>{"t/+"});
}

}  // namespace
