// TLV against the LwM2M 1.0 TS examples (6.4.3.1 Device object, 6.4.3.2 Access Control
// instances), round trips through the write encoder, and malformed input.
#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::hex;
using lwm2m_test::P;
using lwm2m_test::shipped;

namespace {

// TS 6.4.3.1: Read /3/0 of a single-instance Device object.
const char* device_tlv =
    "C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65"        // 0 Manufacturer
    "C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74"  // 1 Model
    "C8 02 09 33 34 35 30 30 30 31 32 33"                                         // 2 Serial Number
    "C3 03 31 2E 30"                    // 3 Firmware Version "1.0"
    "86 06 41 00 01 41 01 05"           // 6 Available Power Sources [1, 5]
    "88 07 08 42 00 0E D8 42 01 13 88"  // 7 Power Source Voltage [3800, 5000]
    "87 08 41 00 7D 42 01 03 84"        // 8 Power Source Current [125, 900]
    "C1 09 64"                          // 9 Battery Level 100
    "C1 0A 0F"                          // 10 Memory Free 15
    "83 0B 41 00 00"                    // 11 Error Code [0]
    "C4 0D 51 82 42 8F"                 // 13 Current Time 1367491215
    "C6 0E 2B 30 32 3A 30 30"           // 14 UTC Offset "+02:00"
    "C1 10 55";                         // 16 Binding "U"

entry_list device_entries() {
  return {
      {P("/3/0/0"), std::string("Open Mobile Alliance")},
      {P("/3/0/1"), std::string("Lightweight M2M Client")},
      {P("/3/0/2"), std::string("345000123")},
      {P("/3/0/3"), std::string("1.0")},
      {P("/3/0/6/0"), int64_t(1)},
      {P("/3/0/6/1"), int64_t(5)},
      {P("/3/0/7/0"), int64_t(3800)},
      {P("/3/0/7/1"), int64_t(5000)},
      {P("/3/0/8/0"), int64_t(125)},
      {P("/3/0/8/1"), int64_t(900)},
      {P("/3/0/9"), int64_t(100)},
      {P("/3/0/10"), int64_t(15)},
      {P("/3/0/11/0"), int64_t(0)},
      {P("/3/0/13"), time_value{1367491215}},
      {P("/3/0/14"), std::string("+02:00")},
      {P("/3/0/16"), std::string("U")},
  };
}

}  // namespace

TEST(Tlv, SpecDeviceObjectDecodes) {
  auto r = decode_tlv(hex(device_tlv), P("/3/0"), shipped());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value(), device_entries());
  EXPECT_EQ(to_json(r.value())[13].dump(), R"({"path":"/3/0/13","value":1367491215})");
}

TEST(Tlv, SpecDeviceObjectEncodesToTheSameBytes) {
  auto r = encode_tlv(P("/3/0"), device_entries());
  ASSERT_TRUE(r) << r.error().reason;
  EXPECT_EQ(r.value(), hex(device_tlv));
}

TEST(Tlv, SpecAccessControlInstances) {
  // TS 6.4.3.2: Read /2 with two instances; instance 2's ACL has a 16-bit instance id (310).
  const auto bytes =
      hex("08 00 0E C1 00 01 C1 01 00 83 02 41 7F 07 C1 03 7F"
          "08 02 12 C1 00 03 C1 01 00 87 02 41 7F 07 61 01 36 01 C1 03 7F");
  auto r = decode_tlv(bytes, P("/2"), shipped());
  ASSERT_TRUE(r) << r.error().reason;
  const entry_list want{
      {P("/2/0/0"), int64_t(1)},     {P("/2/0/1"), int64_t(0)},     {P("/2/0/2/127"), int64_t(7)},
      {P("/2/0/3"), int64_t(127)},   {P("/2/2/0"), int64_t(3)},     {P("/2/2/1"), int64_t(0)},
      {P("/2/2/2/127"), int64_t(7)}, {P("/2/2/2/310"), int64_t(1)}, {P("/2/2/3"), int64_t(127)},
  };
  EXPECT_EQ(r.value(), want);
  auto back = encode_tlv(P("/2"), want);
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), bytes);
}

TEST(Tlv, SingleResourceAndResourceInstanceReads) {
  auto one = decode_tlv(hex("C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65"),
                        P("/3/0/0"), shipped());
  ASSERT_TRUE(one);
  EXPECT_EQ(to_json(one.value()).dump(), R"([{"path":"/3/0/0","value":"Open Mobile Alliance"}])");
  auto inst = decode_tlv(hex("41 01 05"), P("/3/0/6/1"), shipped());
  ASSERT_TRUE(inst) << inst.error().reason;
  EXPECT_EQ(inst.value(), (entry_list{{P("/3/0/6/1"), int64_t(5)}}));
  auto multi = decode_tlv(hex("86 06 41 00 01 41 01 05"), P("/3/0/6"), shipped());
  ASSERT_TRUE(multi);
  EXPECT_EQ(multi.value().size(), 2u);
}

TEST(Tlv, ValueEncodings) {
  // Float 4 and 8 bytes, boolean, objlnk, unsigned, negative integers of every width.
  EXPECT_EQ(tlv_value(hex("41 AC 00 00"), value_type::floating).value(), value{21.5});
  EXPECT_EQ(tlv_value(hex("40 35 80 00 00 00 00 00"), value_type::floating).value(), value{21.5});
  EXPECT_EQ(tlv_value(hex("01"), value_type::boolean).value(), value{true});
  EXPECT_EQ(tlv_value(hex("00 03 00 01"), value_type::objlnk).value(), (value{objlnk_value{3, 1}}));
  EXPECT_EQ(tlv_value(hex("FF"), value_type::unsigned_integer).value(), value{uint64_t(255)});
  EXPECT_EQ(tlv_value(hex("FF"), value_type::integer).value(), value{int64_t(-1)});
  EXPECT_EQ(tlv_value(hex("80 00"), value_type::integer).value(), value{int64_t(-32768)});
  EXPECT_EQ(tlv_value(hex("80 00 00 00 00 00 00 00"), value_type::integer).value(),
            value{int64_t(INT64_MIN)});
  for (int64_t v : {int64_t(0), int64_t(127), int64_t(-128), int64_t(128), int64_t(-32769),
                    int64_t(1) << 40, INT64_MIN, INT64_MAX}) {
    auto b = tlv_value_bytes(value{v});
    EXPECT_EQ(tlv_value(b, value_type::integer).value(), value{v}) << v;
  }
  EXPECT_EQ(tlv_value_bytes(value{21.5}).size(), 4u);
  EXPECT_EQ(tlv_value_bytes(value{0.1}).size(), 8u);
  EXPECT_EQ(tlv_value(tlv_value_bytes(value{0.1}), value_type::floating).value(), value{0.1});
}

TEST(Tlv, LongValuesUse16And24BitLengthsAnd16BitIds) {
  std::string big(70000, 'x');
  auto b = encode_tlv(P("/3303/0"), {{P("/3303/0/5750"), big}});
  ASSERT_TRUE(b);
  EXPECT_EQ(b.value()[0], 0xF8);  // resource value, 16-bit id, 24-bit length
  auto back = decode_tlv(b.value(), P("/3303/0"), shipped());
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), (entry_list{{P("/3303/0/5750"), big}}));
}

TEST(Tlv, UnknownObjectsFallBackToOpaque) {
  auto r = decode_tlv(hex("C3 05 01 02 03"), P("/32769/0"), shipped());
  ASSERT_TRUE(r);
  EXPECT_EQ(to_json(r.value()).dump(), R"([{"path":"/32769/0/5","value":"AQID"}])");
}

TEST(Tlv, MalformedIsAnErrorNeverACrash) {
  const auto good = hex(device_tlv);
  for (std::size_t n = 1; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + n);
    auto r = tlv_parse(cut);
    // A cut can land on a boundary between resources, which is a valid shorter payload.
    if (r) {
      std::vector<uint8_t> again;
      tlv_write(r.value(), again);
      EXPECT_EQ(again, cut);
    }
  }
  EXPECT_FALSE(tlv_parse(hex("C8 00 14 4F")).has_value());        // value longer than payload
  EXPECT_FALSE(tlv_parse(hex("E8 00")).has_value());              // 16-bit id cut short
  EXPECT_FALSE(tlv_parse(hex("D8 00")).has_value());              // 16-bit length missing
  EXPECT_FALSE(tlv_parse(hex("08 00 03 08 01 00")).has_value());  // instance in instance
  EXPECT_FALSE(tlv_parse(hex("88 06 03 C1 00 01")).has_value());  // resource in multiple
  EXPECT_EQ(decode_tlv(hex("C2 09 00 64"), P("/3/0"), shipped()).value()[0].value,
            value{int64_t(100)});  // 2-byte integers are fine
  EXPECT_FALSE(decode_tlv(hex("C3 09 00 00 64"), P("/3/0"), shipped()).has_value());  // 3-byte int
  EXPECT_FALSE(decode_tlv(hex("C1 09 64"), P("/3"), shipped()).has_value());          // no instance
  EXPECT_FALSE(decode_tlv(hex("08 01 03 C1 09 64"), P("/3/0"), shipped()).has_value());
  auto bad_utf8 = decode_tlv(hex("C1 00 FF"), P("/3/0"), shipped());
  ASSERT_FALSE(bad_utf8.has_value());
  EXPECT_NE(bad_utf8.error().reason.find("UTF-8"), std::string::npos);
}

TEST(Tlv, WriteEncoderShapes) {
  // Single resource.
  EXPECT_EQ(encode_tlv(P("/3/0/14"), {{P("/3/0/14"), std::string("+01")}}).value(),
            hex("C3 0E 2B 30 31"));
  // Multiple resource instances under a resource path.
  EXPECT_EQ(
      encode_tlv(P("/3/0/6"), {{P("/3/0/6/0"), int64_t(1)}, {P("/3/0/6/1"), int64_t(5)}}).value(),
      hex("86 06 41 00 01 41 01 05"));
  // One resource instance (LwM2M 1.1 write on /o/i/r/ri).
  EXPECT_EQ(encode_tlv(P("/3/0/6/1"), {{P("/3/0/6/1"), int64_t(5)}}).value(), hex("41 01 05"));
  // Create: object instance wrapper.
  EXPECT_EQ(encode_tlv(P("/3303"), {{P("/3303/1/5700"), 21.5}}).value(),
            hex("07 01 E4 16 44 41 AC 00 00"));
  // A later value for the same resource replaces the earlier one.
  EXPECT_EQ(encode_tlv(P("/3/0"), {{P("/3/0/9"), int64_t(1)}, {P("/3/0/9"), int64_t(2)}}).value(),
            hex("C1 09 02"));
  EXPECT_FALSE(encode_tlv(P("/3/0"), {{P("/4/0/1"), int64_t(1)}}).has_value());
  EXPECT_FALSE(encode_tlv(P("/3"), {{P("/3/0"), int64_t(1)}}).has_value());
  EXPECT_FALSE(
      encode_tlv(P("/3/0"), {{P("/3/0/6"), int64_t(1)}, {P("/3/0/6/0"), int64_t(1)}}).has_value());
  EXPECT_TRUE(encode_tlv(P("/3"), {}).value().empty());
}
