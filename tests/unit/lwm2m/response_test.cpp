// up/resp and up/notify messages in EMQX's shapes.
#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::bytes;
using lwm2m_test::hex;
using lwm2m_test::shipped;

namespace {

command cmd(std::string_view text) {
  return parse_command(text, shipped()).value();
}

}  // namespace

TEST(Response, CodeTable) {
  EXPECT_EQ(code_string(0x45), "2.05");
  EXPECT_EQ(code_msg(0x45), "content");
  EXPECT_EQ(code_string(0x84), "4.04");
  EXPECT_EQ(code_msg(0x84), "not_found");
  EXPECT_EQ(code_string(0xA4), "5.04");
  EXPECT_EQ(code_msg(0xA4), "gateway_timeout");
  EXPECT_EQ(code_msg(0x8F), "unsupported_content_format");
  EXPECT_EQ(code_msg(0x44), "changed");
  EXPECT_EQ(code_msg(0x99), "unknown");
}

TEST(Response, ReadAsInSpecSection7) {
  auto c = cmd(R"({"reqID": 7, "msgType": "read", "data": {"path": "/3/0/0"}})");
  auto r =
      response_from_coap(c, 0x45, content_format::text, bytes("Open Mobile Alliance"), shipped());
  EXPECT_EQ(r, nlohmann::json::parse(R"({"reqID": 7, "msgType": "read", "data": {
      "reqPath": "/3/0/0", "code": "2.05", "codeMsg": "content",
      "content": [{"path": "/3/0/0", "value": "Open Mobile Alliance"}]}})"));
  // Errors carry no content.
  EXPECT_EQ(
      response_from_coap(c, 0x84, std::nullopt, {}, shipped())["data"],
      nlohmann::json::parse(R"({"reqPath": "/3/0/0", "code": "4.04", "codeMsg": "not_found"})"));
}

TEST(Response, UndecodablePayloadIsBadRequestWithReason) {
  auto c = cmd(R"({"reqID": 8, "msgType": "read", "data": {"path": "/3/0"}})");
  auto r = response_from_coap(c, 0x45, content_format::tlv, hex("C8 00 14 4F"), shipped());
  EXPECT_EQ(r["data"]["code"], "4.00");
  EXPECT_EQ(r["data"]["codeMsg"], "bad_request");
  EXPECT_EQ(r["data"]["reason"], "TLV value longer than the payload");
  EXPECT_EQ(r["reqID"], 8);
}

TEST(Response, HexEncodingAppliesToOpaqueContent) {
  auto c = cmd(R"({"reqID": 1, "msgType": "read", "encoding": "hex", "data": {"path": "/5/0/0"}})");
  auto r = response_from_coap(c, 0x45, content_format::opaque, hex("DE AD"), shipped());
  EXPECT_EQ(r["data"]["content"][0]["value"], "dead");
  EXPECT_EQ(r["encoding"], "hex");
}

TEST(Response, DiscoverWriteExecute) {
  auto d = cmd(R"({"reqID": "2", "msgType": "discover", "data": {"path": "/3/0"}})");
  auto r = response_from_coap(d, 0x45, content_format::link,
                              bytes("</3/0>;dim=8,</3/0/0>,</3/0/1>"), shipped());
  EXPECT_EQ(r["data"]["content"],
            nlohmann::json::parse(R"(["</3/0>;dim=8","</3/0/0>","</3/0/1>"])"));
  auto w = cmd(
      R"({"reqID": 3, "msgType": "write", "data": {"path": "/3/0/14", "type": "String", "value": "x"}})");
  EXPECT_EQ(response_from_coap(w, 0x44, std::nullopt, {}, shipped())["data"]["codeMsg"], "changed");
  EXPECT_EQ(response_from_coap(w, 0x45, std::nullopt, {}, shipped())["data"]["codeMsg"],
            "method_not_allowed");
  EXPECT_FALSE(
      response_from_coap(w, 0x44, std::nullopt, {}, shipped())["data"].contains("content"));
  auto e = cmd(R"({"reqID": 4, "msgType": "execute", "data": {"path": "/3/0/4"}})");
  EXPECT_EQ(response_from_coap(e, 0x44, std::nullopt, {}, shipped())["data"]["code"], "2.04");
}

TEST(Response, NotifyAckTimeoutReset) {
  auto o = cmd(R"({"reqID": 5, "msgType": "observe", "data": {"path": "/3303/0/5700"}})");
  auto n = make_notify(o, 12, 0x45, content_format::text, bytes("21.5"), shipped());
  EXPECT_EQ(n, nlohmann::json::parse(R"({"reqID": 5, "msgType": "notify", "seqNum": 12, "data": {
      "reqPath": "/3303/0/5700", "code": "2.05", "codeMsg": "content",
      "content": [{"path": "/3303/0/5700", "value": 21.5}]}})"));
  EXPECT_EQ(
      make_ack(o),
      nlohmann::json::parse(R"({"reqID": 5, "msgType": "ack", "data": {"path": "/3303/0/5700"}})"));
  EXPECT_EQ(make_coap_timeout(o)["msgType"], "coap_timeout");
  EXPECT_EQ(make_coap_reset(o)["msgType"], "coap_reset");
}

TEST(Response, CommandErrorEchoesWhatItCan) {
  auto bad =
      parse_command(R"({"reqID": 9, "msgType": "read", "data": {"path": "/3/x?y=1"}})", shipped());
  ASSERT_FALSE(bad);
  EXPECT_EQ(make_command_error(bad.error()),
            nlohmann::json::parse(R"({"reqID": 9, "msgType": "read",
      "data": {"reqPath": "/3/x", "code": "4.00", "codeMsg": "bad_request",
               "reason": "bad path '/3/x': 'x' is not a number"}})"));
  auto junk = parse_command("not json", shipped());
  ASSERT_FALSE(junk);
  EXPECT_EQ(make_command_error(junk.error()), nlohmann::json::parse(R"({"data": {"code": "4.00",
      "codeMsg": "bad_request", "reason": "command is not valid JSON"}})"));
}
