// The management API's request parsing: targets, query strings, paging, basic auth,
// base64 and times, against hand-checked examples (RFC 3986 escapes, RFC 4648 vectors).
#include <gtest/gtest.h>

#include "gateway/http_api/request_target.hpp"

using namespace edgegw::http_api;

TEST(RequestTarget, SegmentsAreDecodedOneByOne) {
  auto t = parse_target("/api/v5/clients/a%2Fb%20c");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->segments, (std::vector<std::string>{"api", "v5", "clients", "a/b c"}));
  EXPECT_TRUE(t->query.empty());
}

TEST(RequestTarget, QueryParameters) {
  auto t = parse_target("/x?page=2&limit=10&clientid=a&clientid=b&like=a+b%2B&flag&=v#frag");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->param("page"), "2");
  EXPECT_EQ(t->param("like"), "a b+");
  EXPECT_EQ(t->param("flag"), "");
  EXPECT_EQ(t->query.count("clientid"), 2u);
  EXPECT_FALSE(t->param("missing"));
}

TEST(RequestTarget, Refused) {
  EXPECT_FALSE(parse_target(""));
  EXPECT_FALSE(parse_target("http://host/x"));  // absolute-form is not ours
  EXPECT_FALSE(parse_target("/a%2"));
  EXPECT_FALSE(parse_target("/a%zz"));
  EXPECT_FALSE(parse_target("/a?x=%"));
}

TEST(Paging, DefaultsAndLimits) {
  std::string err;
  auto p = parse_paging(*parse_target("/x"), &err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->page, 1u);
  EXPECT_EQ(p->limit, 100u);
  p = parse_paging(*parse_target("/x?page=3&limit=10000"), &err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->page, 3u);
  EXPECT_EQ(p->limit, 10000u);
  for (const char* bad : {"/x?page=0", "/x?page=-1", "/x?page=1x", "/x?limit=10001",
                          "/x?limit=", "/x?page=99999999999999999999999"}) {
    err.clear();
    EXPECT_FALSE(parse_paging(*parse_target(bad), &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> v[] = {{"", ""},
                                                   {"f", "Zg=="},
                                                   {"fo", "Zm8="},
                                                   {"foo", "Zm9v"},
                                                   {"foob", "Zm9vYg=="},
                                                   {"fooba", "Zm9vYmE="},
                                                   {"foobar", "Zm9vYmFy"}};
  for (auto [plain, enc] : v) {
    EXPECT_EQ(base64_encode(plain), enc);
    EXPECT_EQ(base64_decode(enc), plain);
  }
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
}

TEST(BasicAuth, Parse) {
  auto c = parse_basic_auth("Basic YWRtaW46cHVibGlj");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->first, "admin");
  EXPECT_EQ(c->second, "public");
  c = parse_basic_auth("basic dTpwOnE=");  // "u:p:q": the password may hold ':'
  ASSERT_TRUE(c);
  EXPECT_EQ(c->second, "p:q");
  EXPECT_FALSE(parse_basic_auth("Bearer abc"));
  EXPECT_FALSE(parse_basic_auth("Basic bm9jb2xvbg=="));  // "nocolon"
  EXPECT_FALSE(parse_basic_auth("Basic"));
}

TEST(ConstantTimeEqual, Compares) {
  EXPECT_TRUE(constant_time_equal("public", "public"));
  EXPECT_FALSE(constant_time_equal("public", "publiC"));
  EXPECT_FALSE(constant_time_equal("public", "publicx"));
  EXPECT_FALSE(constant_time_equal("", "x"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Rfc3339, Utc) {
  EXPECT_EQ(rfc3339(0), "1970-01-01T00:00:00.000+00:00");
  EXPECT_EQ(rfc3339(1700000000123), "2023-11-14T22:13:20.123+00:00");
}
