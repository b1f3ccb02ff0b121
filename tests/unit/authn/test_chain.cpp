// The chain's order and fall-through rules, certificate identity and reload.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "gateway/authn/auth_chain.hpp"

using namespace edgegw;
using namespace edgegw::authn;

namespace {

class Chain : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("authn_chain_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    file_ = dir_ / "passwd";
    password_file f;
    f.users["alice"] = password_entry{make_hash("wonder", 5), false};
    f.users["root"] = password_entry{make_hash("toor", 5), true};
    ASSERT_EQ(save_password_file(file_, f), "");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static credentials creds(std::string id, std::optional<std::string> user = {},
                           std::optional<std::string> pw = {}, std::string peer = "127.0.0.1:5000",
                           std::string listener = "tcp:default") {
    credentials c;
    c.protocol = "mqtt";
    c.client_id = std::move(id);
    c.username = std::move(user);
    c.password = std::move(pw);
    c.peer = std::move(peer);
    c.listener = std::move(listener);
    return c;
  }
  // What the core does before calling the authenticator.
  static errc run(auth_chain& a, const credentials& c, client_info* out = nullptr) {
    client_info ci;
    ci.client_id = c.client_id;
    ci.username = c.username.value_or("");
    errc e = a.check(c, ci);
    if (out) *out = ci;
    return e;
  }
  std::shared_ptr<auth_chain> make(bool anonymous, bool with_file, access_lists l = {}) {
    chain_settings s;
    s.allow_anonymous = anonymous;
    if (with_file) s.password_file = file_;
    s.certs["ssl:certs"] = cert_identity::tls;
    return std::make_shared<auth_chain>(s, std::move(l), nullptr);
  }

  std::filesystem::path dir_, file_;
};

}  // namespace

TEST_F(Chain, PasswordFileDecidesForItsUsers) {
  auto a = make(true, true);
  client_info ci;
  EXPECT_EQ(run(*a, creds("c1", "alice", "wonder"), &ci), errc::ok);
  EXPECT_FALSE(ci.is_superuser);
  EXPECT_EQ(run(*a, creds("c1", "root", "toor"), &ci), errc::ok);
  EXPECT_TRUE(ci.is_superuser);
  EXPECT_EQ(run(*a, creds("c1", "alice", "wrong")), errc::bad_credentials);
  EXPECT_EQ(run(*a, creds("c1", "alice")), errc::bad_credentials);  // no password
  // A username no credential source knows is refused even with allow_anonymous.
  EXPECT_EQ(run(*a, creds("c1", "mallory", "x")), errc::bad_credentials);
  // Without a username, allow_anonymous decides.
  EXPECT_EQ(run(*a, creds("c1")), errc::ok);
  auto strict = make(false, true);
  EXPECT_EQ(run(*strict, creds("c1")), errc::not_authorized);
  EXPECT_EQ(run(*strict, creds("c1", "alice", "wonder")), errc::ok);
}

TEST_F(Chain, WithoutCredentialSourcesBehavesAsMosquitto) {
  auto open = make(true, false);
  EXPECT_EQ(run(*open, creds("c1", "anyone", "anything")), errc::ok);
  EXPECT_EQ(run(*open, creds("c1")), errc::ok);
  auto closed = make(false, false);
  EXPECT_EQ(run(*closed, creds("c1", "anyone", "anything")), errc::bad_credentials);
  EXPECT_EQ(run(*closed, creds("c1")), errc::not_authorized);
}

TEST_F(Chain, TheBridgesOwnLocalClientIsTrusted) {
  access_lists l;
  parse_networks("127.0.0.1", l.allow_addresses);
  auto a = make(false, true, l);
  auto c = creds("bridge-up", std::nullopt, std::nullopt, "mqtt://cloud:1883", "bridge:up");
  c.protocol = "bridge";
  EXPECT_EQ(run(*a, c), errc::ok);
  c.protocol = "mqtt";  // the same from the network would be refused
  EXPECT_EQ(run(*a, c), errc::not_authorized);
}

TEST_F(Chain, ListsComeBeforeThePasswordFile) {
  access_lists l;
  l.deny_clientids = {"blocked-*"};
  parse_networks("192.0.2.0/24", l.deny_addresses);
  auto a = make(true, true, l);
  EXPECT_EQ(run(*a, creds("blocked-1", "alice", "wonder")), errc::not_authorized);
  EXPECT_EQ(run(*a, creds("ok", "alice", "wonder", "192.0.2.77:1")), errc::not_authorized);
  EXPECT_EQ(run(*a, creds("ok", "alice", "wonder", "198.51.100.1:1")), errc::ok);
  // An allow list restricts but never skips the password check.
  access_lists only;
  only.allow_clientids = {"ok"};
  auto b = make(true, true, only);
  EXPECT_EQ(run(*b, creds("ok", "alice", "wrong")), errc::bad_credentials);
  EXPECT_EQ(run(*b, creds("other", "alice", "wonder")), errc::not_authorized);
}

TEST_F(Chain, CertificateCommonNameIsTheUsername) {
  access_lists l;
  l.deny_usernames = {"revoked"};
  auto a = make(false, true, l);
  auto c = creds("dev1", std::nullopt, std::nullopt, "127.0.0.1:1", "ssl:certs");
  c.cert_common_name = "device-1";
  client_info ci;
  EXPECT_EQ(run(*a, c, &ci), errc::ok);
  EXPECT_EQ(ci.username, "device-1");
  c.cert_common_name = "revoked";  // the lists see the certificate's name
  EXPECT_EQ(run(*a, c), errc::not_authorized);
  // Another listener, or no certificate: the usual rules.
  c.cert_common_name = "device-1";
  c.listener = "ssl:other";
  EXPECT_EQ(run(*a, c), errc::not_authorized);
  c.listener = "ssl:certs";
  c.cert_common_name.clear();
  EXPECT_EQ(run(*a, c), errc::not_authorized);
}

TEST_F(Chain, ReloadTakesANewFileAndKeepsTheOldOneWhenBroken) {
  auto a = make(true, true);
  EXPECT_EQ(run(*a, creds("c", "bob", "builder")), errc::bad_credentials);
  std::string why;
  auto f = load_password_file(file_, &why);
  ASSERT_TRUE(f) << why;
  f->users["bob"] = password_entry{make_hash("builder", 5), false};
  ASSERT_EQ(save_password_file(file_, *f), "");
  access_lists l;
  l.deny_clientids = {"gone"};
  EXPECT_EQ(a->reload(l), "");
  EXPECT_EQ(run(*a, creds("c", "bob", "builder")), errc::ok);
  EXPECT_EQ(run(*a, creds("gone")), errc::not_authorized);
  std::ofstream(file_) << "bob:not-a-hash\n";
  why = a->reload({});
  EXPECT_NE(why.find("line 1"), std::string::npos) << why;
  // Old file and old lists are both kept.
  EXPECT_EQ(run(*a, creds("c", "bob", "builder")), errc::ok);
  EXPECT_EQ(run(*a, creds("gone")), errc::not_authorized);
}

TEST_F(Chain, UnreadableFileFailsTheStart) {
  chain_settings s;
  s.password_file = dir_ / "missing";
  EXPECT_THROW(auth_chain(s, {}, nullptr), std::runtime_error);
}
