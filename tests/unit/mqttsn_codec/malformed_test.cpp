// Datagrams the gateway must drop: wrong lengths, short bodies, unknown types, and every
// truncation of valid messages.
#include <gtest/gtest.h>

#include <vector>

#include "protocols/mqttsn/codec/codec.hpp"

namespace edgegw::mqttsn {
namespace {

decode_status status(std::vector<uint8_t> v) {
  packet p;
  return decode(v, p).status;
}

TEST(Malformed, Lengths) {
  EXPECT_EQ(status({}), decode_status::malformed);
  EXPECT_EQ(status({0x02}), decode_status::malformed);
  EXPECT_EQ(status({0x00, 0x16}), decode_status::malformed);        // length 0
  EXPECT_EQ(status({0x03, 0x16}), decode_status::malformed);        // says 3, is 2
  EXPECT_EQ(status({0x02, 0x16, 0x00}), decode_status::malformed);  // trailing byte
  EXPECT_EQ(status({0x01, 0x00, 0x05, 0x16}), decode_status::malformed);
  EXPECT_EQ(status({0x01, 0x00, 0x03}), decode_status::malformed);  // no type
  EXPECT_EQ(status({0x01, 0x00}), decode_status::malformed);
}

TEST(Malformed, FixedSizeBodies) {
  EXPECT_EQ(status({0x04, 0x00, 0x01, 0x00}), decode_status::malformed);     // ADVERTISE short
  EXPECT_EQ(status({0x02, 0x01}), decode_status::malformed);                 // SEARCHGW no radius
  EXPECT_EQ(status({0x04, 0x05, 0x00, 0x00}), decode_status::malformed);     // CONNACK long
  EXPECT_EQ(status({0x03, 0x06, 0x00}), decode_status::malformed);           // WILLTOPICREQ body
  EXPECT_EQ(status({0x06, 0x0D, 0, 1, 0, 1}), decode_status::malformed);     // PUBACK short
  EXPECT_EQ(status({0x03, 0x0F, 0x00}), decode_status::malformed);           // PUBREC short
  EXPECT_EQ(status({0x03, 0x18, 0x00}), decode_status::malformed);           // DISCONNECT 1 byte
  EXPECT_EQ(status({0x06, 0x12, 0x01, 0, 1, 5}), decode_status::malformed);  // SUBSCRIBE id 1B
  EXPECT_EQ(status({0x07, 0x13, 0, 0, 0, 0, 0}), decode_status::malformed);  // SUBACK short
}

TEST(Malformed, UnknownTypes) {
  for (int t : {0x03, 0x11, 0x19, 0x1E, 0x20, 0x80, 0xFD, 0xFF}) {
    EXPECT_EQ(status({0x02, static_cast<uint8_t>(t)}), decode_status::unknown_type) << t;
  }
}

TEST(Malformed, Encapsulation) {
  EXPECT_EQ(status({0x02, 0xFE}), decode_status::malformed);        // length below 3
  EXPECT_EQ(status({0x03, 0xFE, 0x00}), decode_status::malformed);  // no inner message
  EXPECT_EQ(status({0x05, 0xFE, 0x00, 0x01, 0x02}), decode_status::malformed);
  EXPECT_EQ(status({0x01, 0x00, 0x04, 0xFE}), decode_status::malformed);  // 3-octet form
}

TEST(Malformed, EveryTruncationOfValidMessages) {
  std::vector<packet> samples = {
      advertise{1, 2},
      connect{{}, 1, 10, "abc"},
      reg{0, 1, "a/b"},
      regack{1025, 1, return_code::accepted},
      publish{{}, 1025, 1, "payload"},
      puback{1, 2, return_code::accepted},
      subscribe{msg_type::subscribe, {}, 1, "x/y", 0},
      suback{{}, 1, 2, return_code::accepted},
      disconnect{30},
  };
  for (const auto& s : samples) {
    std::string wire;
    ASSERT_GT(encode(s, wire), 0u);
    for (std::size_t n = 0; n < wire.size(); ++n) {
      packet p;
      auto r = decode(std::span(reinterpret_cast<const uint8_t*>(wire.data()), n), p);
      EXPECT_NE(r.status, decode_status::ok) << to_string(type_of(s)) << " cut at " << n;
    }
  }
}

}  // namespace
}  // namespace edgegw::mqttsn
