// acl_authorizer inside broker_core: SUBSCRIBE and PUBLISH refusals, deliveries filtered
// for wildcard subscriptions, retained messages, shared groups, $SYS and reload.
#include <gtest/gtest.h>

#include <fstream>

#include "fake_store.hpp"
#include "gateway/acl/acl_authorizer.hpp"

using namespace edgegw;
using namespace std::chrono_literals;

namespace {

struct fake_sink : delivery_sink {
  void on_ready() override {}
  void on_close(close_reason) override {}
};

struct acl_broker_test : ::testing::Test {
  boost::asio::io_context io;
  test::fake_store store;
  std::unique_ptr<core::broker_core> broker;
  std::shared_ptr<acl::acl_authorizer> acl;
  std::filesystem::path file;

  void TearDown() override {
    if (!file.empty()) std::filesystem::remove(file);
  }

  void write_file(std::string_view text) {
    std::ofstream f(file);
    f << text;
  }

  void make(std::string_view text, bool nomatch_allow = false, bool sys_loopback_only = true) {
    file = std::filesystem::temp_directory_path() /
           ("edgegw_acl_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".acl");
    write_file(text);
    core::core_settings s;
    s.sys_interval = 0ms;
    broker = std::make_unique<core::broker_core>(s, io.get_executor(), store);
    acl::authorizer_options o;
    o.file = file;
    o.nomatch_allow = nomatch_allow;
    o.sys_loopback_only = sys_loopback_only;
    acl = std::make_shared<acl::acl_authorizer>(o);
    broker->set_authorizer(acl);
  }

  struct conn {
    client_info client;
    session_ptr session;
  };

  conn connect(const std::string& id, const std::string& user = "",
               const std::string& peer = "127.0.0.1:4000", const std::string& mountpoint = "") {
    credentials c;
    c.protocol = "mqtt";
    c.client_id = id;
    if (!user.empty()) c.username = user;
    c.peer = peer;
    c.mountpoint = mountpoint;
    auto info = broker->authenticate(c);
    EXPECT_TRUE(info);
    conn r;
    r.client = info.value();
    r.session = broker->open_session(r.client, {}, std::make_shared<fake_sink>()).value().session;
    return r;
  }

  errc sub(conn& c, const std::string& f) {
    subscription_request req{f, {}};
    req.options.qos = 1;
    return broker->subscribe(*c.session, std::span(&req, 1)).at(0).error;
  }

  errc pub(const conn& c, const std::string& topic, bool retain = false) {
    message m;
    m.topic = topic;
    m.payload = "p";
    m.retain = retain;
    auto r = broker->publish(c.client, make_message(std::move(m)), {});
    return r ? errc::ok : static_cast<errc>(r.error().value());
  }

  std::vector<std::string> topics(conn& c) {
    std::vector<delivery> out;
    c.session->pull(out, 100);
    std::vector<std::string> t;
    for (auto& d : out) t.emplace_back(d.topic);
    return t;
  }
};

using strings = std::vector<std::string>;

}  // namespace

TEST_F(acl_broker_test, subscribe_and_publish_refused_with_not_authorized) {
  make("topic read in/#\ntopic write out/#\n");
  auto c = connect("c");
  EXPECT_EQ(sub(c, "in/#"), errc::ok);
  EXPECT_EQ(sub(c, "out/#"), errc::not_authorized);
  EXPECT_EQ(pub(c, "out/1"), errc::ok);
  EXPECT_EQ(pub(c, "in/1"), errc::not_authorized);
  EXPECT_EQ(broker->metrics().acl_denials.load(), 2u);
}

TEST_F(acl_broker_test, wildcard_subscription_gets_only_readable_topics) {
  make("topic readwrite #\nuser reader\ntopic read a/#\ntopic deny a/secret\n");
  auto w = connect("w");
  auto r = connect("r", "reader");
  EXPECT_EQ(sub(r, "#"), errc::ok);
  EXPECT_EQ(sub(r, "a/secret"), errc::not_authorized);
  pub(w, "a/open");
  pub(w, "a/secret");
  pub(w, "b/other");  // readable through the global rule: the user tier had no match
  EXPECT_EQ(topics(r), (strings{"a/open", "b/other"}));
}

TEST_F(acl_broker_test, retained_messages_on_subscribe_are_filtered) {
  make("topic readwrite #\ntopic deny r/secret\n");
  auto w = connect("w", "", "127.0.0.1:1", "");
  // The writer is denied r/secret too: store it through a superuser.
  client_info admin = w.client;
  admin.is_superuser = true;
  message m;
  m.topic = "r/secret";
  m.payload = "s";
  m.retain = true;
  ASSERT_TRUE(broker->publish(admin, make_message(std::move(m)), {}));
  EXPECT_EQ(pub(w, "r/open", true), errc::ok);
  auto c = connect("c");
  EXPECT_EQ(sub(c, "r/#"), errc::ok);
  EXPECT_EQ(topics(c), (strings{"r/open"}));
  EXPECT_EQ(broker->retained(c.client, "r/secret").size(), 0u);
  EXPECT_EQ(broker->retained(admin, "r/secret").size(), 1u);
}

TEST_F(acl_broker_test, shared_group_skips_members_that_may_not_read) {
  make("topic write jobs/#\npattern read jobs/%c/#\npattern read jobs/any/#\n");
  auto w = connect("w");
  auto a = connect("a"), b = connect("b");
  EXPECT_EQ(sub(a, "$share/g/jobs/#"), errc::ok);
  EXPECT_EQ(sub(b, "$share/g/jobs/#"), errc::ok);
  for (int i = 0; i < 4; ++i) pub(w, "jobs/b/x");
  EXPECT_TRUE(topics(a).empty());
  EXPECT_EQ(topics(b).size(), 4u);
  for (int i = 0; i < 4; ++i) pub(w, "jobs/any/x");
  EXPECT_EQ(topics(a).size() + topics(b).size(), 4u);
}

TEST_F(acl_broker_test, acl_topics_are_relative_to_the_mountpoint) {
  make("pattern readwrite dev/%c/#\n");
  auto c = connect("c1", "", "127.0.0.1:1", "site/");
  EXPECT_EQ(sub(c, "dev/c1/#"), errc::ok);
  EXPECT_EQ(pub(c, "dev/c1/t"), errc::ok);
  EXPECT_EQ(topics(c), (strings{"dev/c1/t"}));
}

TEST_F(acl_broker_test, sys_topics_loopback_only_and_never_published) {
  make("topic read $SYS/#\n");
  auto local = connect("l", "", "127.0.0.1:1");
  auto local6 = connect("l6", "", "[::1]:1");
  auto remote = connect("r", "", "192.0.2.1:1");
  EXPECT_EQ(sub(local, "$SYS/#"), errc::ok);
  EXPECT_EQ(sub(local6, "$SYS/broker/+"), errc::ok);
  EXPECT_EQ(sub(remote, "$SYS/#"), errc::not_authorized);
  EXPECT_EQ(pub(local, "$SYS/fake"), errc::not_authorized);
  client_info admin = local.client;
  admin.is_superuser = true;
  EXPECT_TRUE(acl->allow(admin, action::subscribe, "$SYS/#"));
}

TEST_F(acl_broker_test, sys_open_to_every_peer_when_configured) {
  make("topic read $SYS/#\n", false, false);
  auto remote = connect("r", "", "192.0.2.1:1");
  EXPECT_EQ(sub(remote, "$SYS/#"), errc::ok);
}

TEST_F(acl_broker_test, nomatch_policy) {
  make("topic deny x\n", true);
  auto c = connect("c");
  EXPECT_EQ(pub(c, "anything"), errc::ok);
  EXPECT_EQ(pub(c, "x"), errc::not_authorized);
}

TEST_F(acl_broker_test, bridges_and_internal_clients_are_not_checked) {
  make("");
  client_info bridge;
  bridge.client_id = "$bridge/up";
  bridge.protocol = "bridge";
  EXPECT_TRUE(acl->allow(bridge, action::subscribe, "#"));
  EXPECT_TRUE(acl->allow(bridge, action::publish, "a/b"));
  client_info plain = bridge;
  plain.protocol = "mqtt";
  EXPECT_FALSE(acl->allow(plain, action::publish, "a/b"));
}

TEST_F(acl_broker_test, reload_applies_new_rules_and_keeps_old_ones_on_error) {
  make("topic write a\n");
  auto c = connect("c");
  EXPECT_EQ(pub(c, "a"), errc::ok);
  EXPECT_EQ(pub(c, "b"), errc::not_authorized);
  write_file("topic write b\n");
  EXPECT_EQ(acl->reload(), "");
  EXPECT_EQ(pub(c, "a"), errc::not_authorized);
  EXPECT_EQ(pub(c, "b"), errc::ok);
  write_file("topic write a\ntopic wrong b\n");
  auto e = acl->reload();
  EXPECT_EQ(e, file.string() + ":2: unknown access 'wrong' (read, write, readwrite or deny)");
  EXPECT_EQ(pub(c, "b"), errc::ok);  // previous rules kept
  EXPECT_EQ(acl->rule_count(), 1u);
}

TEST_F(acl_broker_test, reload_reaches_existing_subscriptions_at_delivery) {
  make("topic write t/#\nclientid c\ntopic read t/#\n");
  auto w = connect("w");
  auto c = connect("c");
  EXPECT_EQ(sub(c, "t/#"), errc::ok);
  write_file("topic write t/#\nclientid c\ntopic read t/open\n");
  EXPECT_EQ(acl->reload(), "");
  EXPECT_EQ(pub(w, "t/open"), errc::ok);
  EXPECT_EQ(pub(w, "t/closed"), errc::ok);
  EXPECT_EQ(topics(c), (strings{"t/open"}));
}

TEST(acl_authorizer, bad_file_at_start_throws_with_line) {
  auto path = std::filesystem::temp_directory_path() / "edgegw_acl_bad_start.acl";
  {
    std::ofstream f(path);
    f << "user a\n\ntopic read +x\n";
  }
  acl::authorizer_options o;
  o.file = path;
  try {
    acl::acl_authorizer a(o);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "auth.acl_file: " + path.string() + ":3: invalid topic filter '+x'");
  }
  std::filesystem::remove(path);
}

TEST(acl_authorizer, without_a_file_only_sys_is_checked) {
  acl::acl_authorizer a(acl::authorizer_options{});
  client_info remote;
  remote.client_id = "r";
  remote.protocol = "mqtt";
  remote.peer = "192.0.2.1:1";
  EXPECT_FALSE(a.filters_deliveries());
  EXPECT_TRUE(a.allow(remote, action::publish, "a/b"));
  EXPECT_TRUE(a.allow(remote, action::subscribe, "#"));
  EXPECT_FALSE(a.allow(remote, action::subscribe, "$SYS/#"));
  EXPECT_FALSE(a.allow(remote, action::publish, "$SYS/x"));
  client_info local = remote;
  local.peer = "127.0.0.1:1";
  EXPECT_TRUE(a.allow(local, action::subscribe, "$SYS/#"));
  EXPECT_FALSE(a.allow(local, action::publish, "$SYS/x"));
  acl::authorizer_options deny_all;
  deny_all.nomatch_allow = false;
  acl::acl_authorizer d(deny_all);
  EXPECT_FALSE(d.allow(local, action::publish, "a/b"));
}
