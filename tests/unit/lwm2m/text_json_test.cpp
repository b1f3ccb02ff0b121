// Plain text, opaque and OMA LwM2M JSON decoding, and the content-format dispatch.
#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::bytes;
using lwm2m_test::P;
using lwm2m_test::shipped;

TEST(Text, TypedByTheObjectDefinition) {
  auto dec = [](std::string_view text, std::string_view path) {
    auto r = decode_text(bytes(text), P(path), shipped());
    EXPECT_TRUE(r) << path << ": " << (r ? "" : r.error().reason);
    return r ? r.value().at(0).value : value{};
  };
  EXPECT_EQ(dec("Open Mobile Alliance", "/3/0/0"), value{std::string("Open Mobile Alliance")});
  EXPECT_EQ(dec("100", "/3/0/9"), value{int64_t(100)});
  EXPECT_EQ(dec("1367491215", "/3/0/13"), value{time_value{1367491215}});
  EXPECT_EQ(dec("21.5", "/3303/0/5700"), value{21.5});
  EXPECT_EQ(dec("1", "/3311/0/5850"), value{true});
  EXPECT_EQ(dec("0", "/3311/0/5850"), value{false});
  EXPECT_EQ(dec("3:1", "/3/0/22/0"), (value{objlnk_value{3, 1}}));
  EXPECT_EQ(dec("5", "/3/0/6/0"), value{int64_t(5)});
  // Unknown objects: text stays a string.
  EXPECT_EQ(dec("hello", "/32769/0/1"), value{std::string("hello")});
}

TEST(Text, MalformedIsAnError) {
  EXPECT_FALSE(decode_text(bytes("12a"), P("/3/0/9"), shipped()).has_value());
  EXPECT_FALSE(decode_text(bytes(""), P("/3/0/9"), shipped()).has_value());
  EXPECT_FALSE(decode_text(bytes("2"), P("/3311/0/5850"), shipped()).has_value());
  EXPECT_FALSE(decode_text(bytes("nan"), P("/3303/0/5700"), shipped()).has_value());
  EXPECT_FALSE(decode_text(bytes("x"), P("/3/0"), shipped()).has_value());  // not a resource
  EXPECT_FALSE(decode_text(std::vector<uint8_t>{0xC3, 0x28}, P("/3/0/0"), shipped()).has_value());
}

TEST(Text, EncodeRoundTrips) {
  EXPECT_EQ(encode_text(value{int64_t(-7)}).value(), "-7");
  EXPECT_EQ(encode_text(value{true}).value(), "1");
  EXPECT_EQ(encode_text(value{21.5}).value(), "21.5");
  EXPECT_EQ(encode_text(value{objlnk_value{3, 0}}).value(), "3:0");
  EXPECT_EQ(encode_text(value{time_value{5}}).value(), "5");
  auto t = encode_text(value{0.1}).value();
  EXPECT_EQ(decode_text(bytes(t), P("/3303/0/5700"), shipped()).value()[0].value, value{0.1});
}

TEST(Opaque, WholePayloadIsTheValue) {
  auto r =
      decode_content(content_format::opaque, std::vector<uint8_t>{0, 1, 2}, P("/5/0/0"), shipped());
  ASSERT_TRUE(r);
  EXPECT_EQ(to_json(r.value()).dump(), R"([{"path":"/5/0/0","value":"AAEC"}])");
  EXPECT_EQ(to_json(r.value(), opaque_encoding::hex).dump(),
            R"([{"path":"/5/0/0","value":"000102"}])");
}

TEST(OmaJson, SpecExample) {
  // LwM2M 1.0 TS 6.4.4 style: base name plus relative names, sv/v/bv/ov values.
  const auto payload = bytes(R"({"bn":"/3/0/","e":[
    {"n":"0","sv":"Open Mobile Alliance"},{"n":"6/0","v":1},{"n":"6/1","v":5},
    {"n":"13","v":1367491215},{"n":"16","sv":"U"},{"n":"22/0","ov":"3:1"}]})");
  auto r = decode_content(content_format::json, payload, P("/3/0"), shipped());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value(), (entry_list{{P("/3/0/0"), std::string("Open Mobile Alliance")},
                                   {P("/3/0/6/0"), int64_t(1)},
                                   {P("/3/0/6/1"), int64_t(5)},
                                   {P("/3/0/13"), time_value{1367491215}},
                                   {P("/3/0/16"), std::string("U")},
                                   {P("/3/0/22/0"), objlnk_value{3, 1}}}));
  // Legacy number 1543 and no "bn": names are relative to the request.
  auto legacy = decode_content(content_format::json_legacy,
                               bytes(R"({"e":[{"n":"5700","v":21.5},{"n":"5850","bv":true}]})"),
                               P("/3303/0"), shipped());
  ASSERT_TRUE(legacy) << legacy.error().reason;
  EXPECT_EQ(legacy.value(), (entry_list{{P("/3303/0/5700"), 21.5}, {P("/3303/0/5850"), true}}));
}

TEST(OmaJson, MalformedIsAnError) {
  for (const char* bad : {"", "[]", "{", R"({"e":{}})", R"({"bn":3,"e":[]})",
                          R"({"e":[{"n":"x","v":1}]})", R"({"e":[{"n":"0","v":"1"}]})",
                          R"({"e":[1]})", R"({"bn":"/3/0/","e":[{"n":"22/0","ov":"3"}]})"}) {
    EXPECT_FALSE(decode_content(content_format::json, bytes(bad), P("/3/0"), shipped()).has_value())
        << bad;
  }
}

TEST(Content, UnsupportedFormatIsAnError) {
  auto r = decode_content(50, bytes("{}"), P("/3/0"), shipped());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "unsupported content format 50");
  EXPECT_TRUE(is_supported(content_format::senml_cbor));
  EXPECT_FALSE(is_supported(content_format::link));
  EXPECT_EQ(media_type(content_format::tlv), "application/vnd.oma.lwm2m+tlv");
}

TEST(Text, ReasonsQuoteDeviceBytesAsValidUtf8) {
  // The reason goes into a JSON response, so bytes from the device must not break it.
  auto r = decode_text(std::vector<uint8_t>{'1', 0xFF, 0xC3}, P("/3/0/9"), shipped());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "/3/0/9: '1\\xff\\xc3' is not an integer");
  EXPECT_NO_THROW((void)nlohmann::json(r.error().reason).dump());
  auto p = parse_path(std::string(100, '7'));
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().reason.find("...'"), std::string::npos);
}
