// Paths and the JSON form of values.
#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::P;

TEST(Path, ParsesEveryDepthAndPrintsCanonically) {
  EXPECT_EQ(to_string(P("/3")), "/3");
  EXPECT_EQ(to_string(P("3/0")), "/3/0");
  EXPECT_EQ(to_string(P("/3/0/0/")), "/3/0/0");
  auto p = P("/3/0/6/1");
  EXPECT_EQ(p.depth, 4);
  EXPECT_EQ(p.object(), 3);
  EXPECT_EQ(p.resource_instance(), 1);
  EXPECT_EQ(to_string(P("/65534/1")), "/65534/1");
}

TEST(Path, RootOnlyWhenAllowed) {
  EXPECT_FALSE(parse_path("/").has_value());
  EXPECT_FALSE(parse_path("").has_value());
  auto r = parse_path("/", true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().depth, 0);
  EXPECT_EQ(to_string(r.value()), "/");
}

TEST(Path, RefusesMalformed) {
  for (const char* bad : {"/3//0", "/a", "/3/0/0/0/0", "/65535", "/3/-1", "/3/0x1", "//", "/3/ 0",
                          "/99999999999999999999"}) {
    auto r = parse_path(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_NE(r.error().reason.find("bad path"), std::string::npos);
    }
  }
}

TEST(Path, ContainsAndChild) {
  EXPECT_TRUE(P("/3").contains(P("/3/0/1")));
  EXPECT_TRUE(P("/3/0").contains(P("/3/0")));
  EXPECT_FALSE(P("/3/0").contains(P("/3/1/0")));
  EXPECT_FALSE(P("/3/0/1").contains(P("/3/0")));
  EXPECT_EQ(P("/3/0").child(7), P("/3/0/7"));
}

TEST(Value, JsonFormsAsEmqx) {
  EXPECT_EQ(to_json(value{std::string("x")}), "x");
  EXPECT_EQ(to_json(value{int64_t(-5)}), -5);
  EXPECT_EQ(to_json(value{uint64_t(18446744073709551615ull)}).dump(), "18446744073709551615");
  EXPECT_EQ(to_json(value{1.5}), 1.5);
  EXPECT_EQ(to_json(value{true}), true);
  EXPECT_EQ(to_json(value{opaque_value{{0x01, 0x02, 0xff}}}), "AQL/");
  EXPECT_EQ(to_json(value{opaque_value{{0x01, 0x02, 0xff}}}, opaque_encoding::hex), "0102ff");
  EXPECT_EQ(to_json(value{time_value{1367491215}}), 1367491215);
  EXPECT_EQ(to_json(value{objlnk_value{3, 0}}), "3:0");
  EXPECT_TRUE(to_json(value{}).is_null());
  entry_list l{{P("/3/0/0"), value{std::string("Open Mobile Alliance")}}};
  EXPECT_EQ(to_json(l).dump(), R"([{"path":"/3/0/0","value":"Open Mobile Alliance"}])");
}

TEST(Value, Base64AndHexRoundTrip) {
  for (std::size_t n = 0; n < 20; ++n) {
    std::vector<uint8_t> b;
    for (std::size_t i = 0; i < n; ++i) b.push_back(uint8_t(i * 37 + 11));
    auto d = base64_decode(base64_encode(b));
    ASSERT_TRUE(d);
    EXPECT_EQ(d.value(), b);
    auto h = hex_decode(hex_encode(b));
    ASSERT_TRUE(h);
    EXPECT_EQ(h.value(), b);
  }
  EXPECT_EQ(base64_encode({'M', 'a', 'n'}), "TWFu");
  EXPECT_FALSE(base64_decode("T$Fu").has_value());
  EXPECT_FALSE(base64_decode("T").has_value());
  EXPECT_FALSE(hex_decode("abc").has_value());
  EXPECT_FALSE(hex_decode("zz").has_value());
}

TEST(Value, FromCommandJson) {
  using nlohmann::json;
  EXPECT_EQ(value_from_json(json(12), value_type::integer).value(), value{int64_t(12)});
  EXPECT_EQ(value_from_json(json("12"), value_type::integer).value(), value{int64_t(12)});
  EXPECT_EQ(value_from_json(json("1.5"), value_type::floating).value(), value{1.5});
  EXPECT_EQ(value_from_json(json("true"), value_type::boolean).value(), value{true});
  EXPECT_EQ(value_from_json(json(false), value_type::boolean).value(), value{false});
  EXPECT_EQ(value_from_json(json("AQL/"), value_type::opaque).value(),
            (value{opaque_value{{1, 2, 0xff}}}));
  EXPECT_EQ(value_from_json(json("0102ff"), value_type::opaque, opaque_encoding::hex).value(),
            (value{opaque_value{{1, 2, 0xff}}}));
  EXPECT_EQ(value_from_json(json("3:1"), value_type::objlnk).value(), (value{objlnk_value{3, 1}}));
  EXPECT_EQ(value_from_json(json(7), value_type::unsigned_integer).value(), value{uint64_t(7)});
  EXPECT_FALSE(value_from_json(json("x"), value_type::integer).has_value());
  EXPECT_FALSE(value_from_json(json(-1), value_type::unsigned_integer).has_value());
  EXPECT_FALSE(value_from_json(json("3:70000"), value_type::objlnk).has_value());
  EXPECT_FALSE(value_from_json(json("maybe"), value_type::boolean).has_value());
  EXPECT_FALSE(value_from_json(json::array(), value_type::string).has_value());
  EXPECT_FALSE(value_from_json(json(1.5), value_type::integer).has_value());
}

TEST(Value, TypeNames) {
  EXPECT_EQ(parse_value_type("Integer").value(), value_type::integer);
  EXPECT_EQ(parse_value_type("float").value(), value_type::floating);
  EXPECT_EQ(parse_value_type("Unsigned Integer").value(), value_type::unsigned_integer);
  EXPECT_EQ(parse_value_type("Objlnk").value(), value_type::objlnk);
  EXPECT_FALSE(parse_value_type("Strng").has_value());
  EXPECT_EQ(to_string(value_type::opaque), "Opaque");
}
