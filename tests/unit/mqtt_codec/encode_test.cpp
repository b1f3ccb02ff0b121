// Encoder: the PUBLISH fast path gives the same bytes as the generic path, and packets that
// cannot go on the wire are refused without touching the output.
#include "codec_test_util.hpp"
#include "sample_packets.hpp"

namespace edgegw::mqtt::test {
namespace {

std::vector<publish> publishes(version ver) {
  std::vector<publish> v;
  publish p;
  p.topic = "a/b";
  v.push_back(p);  // QoS 0, empty payload
  p.payload = "hello";
  p.retain = true;
  v.push_back(p);
  p.qos = 1;
  p.packet_id = 77;
  v.push_back(p);
  p.qos = 2;
  p.dup = true;
  p.payload.assign(70'000, 'z');  // three-byte Remaining Length
  v.push_back(p);
  if (ver == version::v5) {
    p.props = every_publish_property();
    v.push_back(p);
    p.topic.clear();  // topic alias only
    v.push_back(p);
  }
  return v;
}

class EncodePublish : public ::testing::TestWithParam<version> {};

TEST_P(EncodePublish, SameBytesAsGenericEncode) {
  const version ver = GetParam();
  for (const auto& p : publishes(ver)) {
    std::string generic = "head";
    std::string fast = "head";
    const std::size_t n = encode(p, ver, generic);
    const publish_view view{p.dup, p.qos, p.retain, p.topic, p.packet_id, &p.props, p.payload};
    EXPECT_EQ(encode_publish(view, ver, fast), n);
    EXPECT_EQ(encoded_publish_size(view, ver), n);
    EXPECT_EQ(encoded_size(p, ver), n);
    EXPECT_EQ(fast.size(), 4 + n);
    EXPECT_TRUE(fast == generic) << hex(fast.substr(0, 40)) << " vs " << hex(generic.substr(0, 40));
    // Null properties mean none.
    if (p.props == properties{}) {
      std::string no_props;
      publish_view bare = view;
      bare.props = nullptr;
      encode_publish(bare, ver, no_props);
      EXPECT_TRUE(no_props == generic.substr(4));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Versions, EncodePublish,
                         ::testing::Values(version::v31, version::v311, version::v5), version_name);

void expect_refused(const packet& p, version ver) {
  std::string out = "keep";
  EXPECT_EQ(encode(p, ver, out), 0u);
  EXPECT_EQ(encoded_size(p, ver), 0u);
  EXPECT_EQ(out, "keep");
}

TEST(Encode, RefusesWhatTheWireCannotCarry) {
  publish p;
  p.topic.assign(65'536, 't');  // string length over 16 bits
  expect_refused(p, version::v311);
  p.topic = "t";
  p.qos = 3;
  expect_refused(p, version::v5);
  std::string out = "keep";
  EXPECT_EQ(encode_publish({false, 3, false, "t", 1, nullptr, "x"}, version::v5, out), 0u);
  EXPECT_EQ(out, "keep");

  publish with_prop;
  with_prop.topic = "t";
  with_prop.props.content_type = std::string(65'536, 'c');
  expect_refused(with_prop, version::v5);
  with_prop.props.content_type.reset();
  with_prop.props.subscription_identifiers = {268'435'456};  // beyond a 4-byte varint
  expect_refused(with_prop, version::v5);

  connect c;
  c.client_id.assign(70'000, 'c');
  expect_refused(c, version::v311);
  c.client_id = "c";
  c.will_msg = will{"w", "p", 3, false, {}};
  expect_refused(c, version::v311);
  c.will_msg.reset();
  c.ver = static_cast<version>(6);
  expect_refused(c, version::v311);

  subscribe s{1, {}, {{"a", 0, false, false, 3}}};
  expect_refused(s, version::v5);
  s.entries[0] = {"a", 3, false, false, 0};
  expect_refused(s, version::v311);
  s.entries[0] = {"a", 0, false, false, 0};
  s.props.subscription_identifiers = {1, 2};  // SUBSCRIBE carries one at most
  expect_refused(s, version::v5);

  expect_refused(pub_response{packet_type::connect, 1, 0, {}}, version::v311);
  pub_response ack{packet_type::puback, 1, 0, {}};
  ack.props.reason_string = std::string(65'536, 'r');
  expect_refused(ack, version::v5);
  disconnect d;
  d.props.user_properties = {{"k", std::string(65'536, 'v')}};
  expect_refused(d, version::v5);
  expect_refused(auth{}, version::v311);

  publish huge;
  huge.topic = "t";
  huge.payload.assign(268'435'455 - 2, 'x');  // Remaining Length one over the limit
  expect_refused(huge, version::v311);
}

TEST(Encode, LargestPacketIsEncoded) {
  publish p;
  p.topic = "t";
  p.payload.assign(268'435'455 - 3, 'x');
  EXPECT_EQ(encoded_size(p, version::v311), 268'435'460u);
}

TEST(Encode, AppendsToTheOutput) {
  std::string out;
  const auto samples = sample_packets(version::v5);
  std::size_t total = 0;
  for (const auto& s : samples) total += encode(s.value, version::v5, out);
  EXPECT_EQ(out.size(), total);
}

}  // namespace
}  // namespace edgegw::mqtt::test
