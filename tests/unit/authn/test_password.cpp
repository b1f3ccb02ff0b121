// The password-hash formats and the password file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "gateway/authn/password_file.hpp"
#include "gateway/authn/password_hash.hpp"

using namespace edgegw::authn;

namespace {

// Written by mosquitto_passwd 2.0 (Debian bookworm): alice / secret1.
constexpr const char* mosquitto_line =
    "alice:$7$101$6g770ixjd8ezzAyt$cxuGPiCyz/X9l1PHAyveK9z34cl8tWmdEYZHHxhamhymWCpQrkZ2xwBXdj"
    "cPrlUloPNxAyl7C1xqsf3UZBV33Q==\n";

}  // namespace

TEST(PasswordHash, AcceptsAFileMadeByMosquittoPasswd) {
  auto p = parse_password_file(mosquitto_line);
  ASSERT_TRUE(p.problems.empty()) << p.problems.front();
  const auto& e = p.file.users.at("alice");
  EXPECT_EQ(e.hash.type, password_hash::kind::pbkdf2_sha512);
  EXPECT_EQ(e.hash.iterations, 101u);
  EXPECT_EQ(e.hash.salt.size(), 12u);
  EXPECT_TRUE(verify(e.hash, "secret1"));
  EXPECT_FALSE(verify(e.hash, "secret2"));
  EXPECT_FALSE(verify(e.hash, ""));
  EXPECT_FALSE(e.superuser);
}

TEST(PasswordHash, Sha512SaltedIsPasswordThenSalt) {
  // $6$: SHA512(password || salt), salt "salt" -> c2FsdA==; computed with
  // printf 'pwsalt' | sha512sum | xxd -r -p | base64 -w0
  auto h = parse_hash(
      "$6$c2FsdA==$"
      "oPeb5nMm4U4xiTpjSVruRPjXz2QaN/TSTSakuCiJtR8qzibNgZZ412rWVSMttxWmz05EMhOAaVT07opmzYU/tg==",
      nullptr);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->type, password_hash::kind::sha512);
  EXPECT_TRUE(verify(*h, "pw"));
  EXPECT_FALSE(verify(*h, "pW"));
}

TEST(PasswordHash, MakeFormatParseRoundTrip) {
  auto h = make_hash("s3cret", 7);
  auto text = format_hash(h);
  EXPECT_TRUE(text.starts_with("$7$7$"));
  std::string why;
  auto back = parse_hash(text, &why);
  ASSERT_TRUE(back) << why;
  EXPECT_TRUE(verify(*back, "s3cret"));
  EXPECT_FALSE(verify(*back, "s3creT"));
  // Two hashes of one password differ (random salt).
  EXPECT_NE(format_hash(make_hash("s3cret", 7)), text);
}

TEST(PasswordHash, RefusesMalformedHashes) {
  const char* bad[] = {"",
                       "plain",
                       "$5$abc$def",
                       "$7$$c2FsdA==$AAAA",
                       "$7$0$c2FsdA==$AAAA",
                       "$7$x$c2FsdA==$AAAA",
                       "$7$99999999999$c2FsdA==$AAAA",
                       "$7$101$c2FsdA==$AAAA",  // hash not 64 bytes
                       "$7$101$!!$AAAA",
                       "$6$c2FsdA==",
                       "$7$101$c2FsdA==$AAAA$extra"};
  for (const char* b : bad) {
    std::string why;
    EXPECT_FALSE(parse_hash(b, &why)) << b;
    EXPECT_FALSE(why.empty()) << b;
  }
}

TEST(PasswordFile, CommentsBlankLinesSuperuserAndProblems) {
  auto h = format_hash(make_hash("pw", 3));
  std::string text = "# users\n\nbob:" + h + ":superuser\r\n  \n" + std::string(mosquitto_line);
  auto p = parse_password_file(text);
  ASSERT_TRUE(p.problems.empty()) << p.problems.front();
  EXPECT_EQ(p.file.users.size(), 2u);
  EXPECT_TRUE(p.file.users.at("bob").superuser);
  EXPECT_TRUE(verify(p.file.users.at("bob").hash, "pw"));
  // Rendering and parsing again gives the same file.
  auto again = parse_password_file(render_password_file(p.file));
  ASSERT_TRUE(again.problems.empty());
  EXPECT_EQ(render_password_file(again.file), render_password_file(p.file));

  auto bad = parse_password_file("ok:" + h + "\nnocolon\n:" + h + "\nok:" + h + "\nx:$9$\n");
  ASSERT_EQ(bad.problems.size(), 4u);
  EXPECT_EQ(bad.problems[0], "line 2: expected user:hash");
  EXPECT_TRUE(bad.problems[2].starts_with("line 4: user ok twice"));
}

TEST(PasswordFile, SaveIsAtomicWithMode0600AndLoadReportsProblems) {
  auto dir = std::filesystem::temp_directory_path() / ("authn_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "passwd";
  password_file f;
  f.users["u1"] = password_entry{make_hash("a", 2), false};
  ASSERT_EQ(save_password_file(path, f), "");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string why;
  auto back = load_password_file(path, &why);
  ASSERT_TRUE(back) << why;
  EXPECT_TRUE(verify(back->users.at("u1").hash, "a"));
  // No temporary file left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator{}),
            1);
  std::ofstream(path) << "broken line\n";
  EXPECT_FALSE(load_password_file(path, &why));
  EXPECT_NE(why.find("line 1"), std::string::npos) << why;
  EXPECT_FALSE(load_password_file(dir / "missing", &why));
  std::filesystem::remove_all(dir);
}
