// SenML JSON and CBOR (RFC 8428) as LwM2M 1.1 sends them.
#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::bytes;
using lwm2m_test::hex;
using lwm2m_test::P;
using lwm2m_test::shipped;

TEST(SenmlJson, LwM2M11Example) {
  const auto payload = bytes(R"([{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},
    {"n":"9","v":95},{"n":"13","v":1367491215},{"n":"6/0","v":1},
    {"bn":"/3303/0/","n":"5700","v":21.5},{"n":"5850","vb":false},
    {"bn":"/5/0/","n":"0","vd":"AQID"},{"bn":"/3/0/","n":"22/0","vlo":"3303:0"}])");
  auto r = decode_content(content_format::senml_json, payload, path{}, shipped());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value(), (entry_list{{P("/3/0/0"), std::string("Open Mobile Alliance")},
                                   {P("/3/0/9"), int64_t(95)},
                                   {P("/3/0/13"), time_value{1367491215}},
                                   {P("/3/0/6/0"), int64_t(1)},
                                   {P("/3303/0/5700"), 21.5},
                                   {P("/3303/0/5850"), false},
                                   {P("/5/0/0"), opaque_value{{1, 2, 3}}},
                                   {P("/3/0/22/0"), objlnk_value{3303, 0}}}));
}

TEST(SenmlJson, IntegerSentForAFloatResourceStaysTyped) {
  auto r = decode_senml_json(bytes(R"([{"n":"/3303/0/5700","v":21}])"), shipped());
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value()[0].value, value{21.0});
}

TEST(SenmlJson, MalformedIsAnError) {
  for (const char* bad :
       {"", "{}", "[1]", R"([{"n":3}])", R"([{"n":"/3/0/0","v":"x"}])", R"([{"n":"/x"}])",
        R"([{"n":"/3/0/0","v":1,"vs":"a"}])", R"([{"n":"/3/0/0","vd":"$$"}])",
        R"([{"n":"/3/0/0","v":1,"foo_":1}])", R"([{"n":"/3/0/0","vb":1}])"}) {
    EXPECT_FALSE(decode_senml_json(bytes(bad), shipped()).has_value()) << bad;
  }
}

TEST(SenmlCbor, DecodesIntegerLabelsAndAllValueKinds) {
  const auto payload = hex(
      "85"                                               // array of 5 records
      "A3 21 68 2F 33 33 30 33 2F 30 2F"                 // {bn(-2): "/3303/0/",
      "   00 64 35 37 30 30 02 F9 4D 60"                 //  n(0): "5700", v(2): half 21.5}
      "A2 00 64 35 37 30 31 03 63 43 65 6C"              // {n: "5701", vs(3): "Cel"}
      "A2 00 64 35 38 35 30 04 F5"                       // {n: "5850", vb(4): true}
      "A3 21 65 2F 35 2F 30 2F 00 61 30 08 43 01 02 03"  // {bn: "/5/0/", n: "0", vd(8): h'010203'}
      "A3 21 65 2F 33 2F 30 2F 00 61 39 02 18 64");      // {bn: "/3/0/", n: "9", v: 100}
  auto r = decode_content(content_format::senml_cbor, payload, path{}, shipped());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value(), (entry_list{{P("/3303/0/5700"), 21.5},
                                   {P("/3303/0/5701"), std::string("Cel")},
                                   {P("/3303/0/5850"), true},
                                   {P("/5/0/0"), opaque_value{{1, 2, 3}}},
                                   {P("/3/0/9"), int64_t(100)}}));
}

TEST(SenmlCbor, FloatsAndObjlnk) {
  // {n: "/3303/0/5700", v: double 0.1}, {n: "/3/0/22/0", "vlo": "3:0"}, v as float32 21.5
  const auto payload =
      hex("83 A2 00 6C 2F 33 33 30 33 2F 30 2F 35 37 30 30 02 FB 3F B9 99 99 99 99 99 9A"
          "A2 00 69 2F 33 2F 30 2F 32 32 2F 30 63 76 6C 6F 63 33 3A 30"
          "A2 00 6C 2F 33 33 30 33 2F 31 2F 35 37 30 30 02 FA 41 AC 00 00");
  auto r = decode_senml_cbor(payload, shipped());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value(), (entry_list{{P("/3303/0/5700"), 0.1},
                                   {P("/3/0/22/0"), objlnk_value{3, 0}},
                                   {P("/3303/1/5700"), 21.5}}));
}

TEST(SenmlCbor, StrictReaderRefusesWhatIsOutsideTheSubset) {
  for (const char* bad : {
           "",                            // nothing
           "A0",                          // a map, not an array
           "81 A1 00",                    // truncated map
           "9F FF",                       // indefinite-length array
           "81 A1 00 7F 61 61 FF",        // indefinite-length text
           "81 C1 00",                    // tag
           "81 A1 00 61 2F 00",           // trailing byte
           "81 A1 02 F7",                 // undefined simple value
           "81 A1 00 63 2F 33",           // text longer than the payload
           "9B FF FF FF FF FF FF FF FF",  // absurd array length
           "81 A1 00 65 2F 33 2F 30 2F",  // "/3/0/" name only: no value is fine, but...
       }) {
    auto r = decode_senml_cbor(hex(bad), shipped());
    if (std::string_view(bad).starts_with("81 A1 00 65")) {
      ASSERT_TRUE(r);  // a record without a value decodes to null, as EMQX prints it
      EXPECT_TRUE(to_json(r.value())[0]["value"].is_null());
      continue;
    }
    EXPECT_FALSE(r.has_value()) << bad;
  }
  // Nesting deeper than SenML needs.
  EXPECT_FALSE(decode_senml_cbor(hex("81 81 81 81 81 00"), shipped()).has_value());
}
