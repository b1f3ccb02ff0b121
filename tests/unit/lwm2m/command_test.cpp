// dn JSON commands -> CoAP requests, as EMQX sends them, and the refusals.
#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::hex;
using lwm2m_test::P;
using lwm2m_test::shipped;

namespace {

command ok(std::string_view text) {
  auto r = parse_command(text, shipped());
  EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().reason);
  return r ? r.value() : command{};
}

std::string refused(std::string_view text) {
  auto r = parse_command(text, shipped());
  EXPECT_FALSE(r) << text;
  return r ? "" : r.error().reason;
}

}  // namespace

TEST(Command, ReadDiscoverObserveDelete) {
  auto c = ok(R"({"reqID": 7, "msgType": "read", "data": {"path": "/3/0/0"}})");
  EXPECT_EQ(c.type, msg_type::read);
  EXPECT_EQ(c.method, coap_method::get);
  EXPECT_EQ(c.req_path, "/3/0/0");
  EXPECT_EQ(c.uri_path(), (std::vector<std::string>{"3", "0", "0"}));
  EXPECT_EQ(c.uri_path("/lwm2m"), (std::vector<std::string>{"lwm2m", "3", "0", "0"}));
  EXPECT_FALSE(c.accept || c.observe || c.content_format);
  EXPECT_EQ(c.request["reqID"], 7);

  auto d = ok(R"({"reqID": "2", "msgType": "discover", "data": {"path": "3/0"}})");
  EXPECT_EQ(d.accept, content_format::link);
  EXPECT_EQ(d.req_path, "3/0");  // echoed as given, like EMQX
  EXPECT_EQ(d.target, P("/3/0"));

  EXPECT_EQ(ok(R"({"msgType": "observe", "data": {"path": "/3/0/9"}})").observe, 0u);
  EXPECT_EQ(ok(R"({"msgType": "cancel-observe", "data": {"path": "/3/0/9"}})").observe, 1u);
  auto del = ok(R"({"msgType": "delete", "data": {"path": "/3303/1"}})");
  EXPECT_EQ(del.method, coap_method::delete_);
  auto q = ok(R"({"msgType": "read", "data": {"path": "/3/0?a=1&b"}})");
  EXPECT_EQ(q.req_path, "/3/0");
  EXPECT_EQ(q.query, (std::vector<std::string>{"a=1", "b"}));
}

TEST(Command, SingleWriteIsTlvPutOrText) {
  auto w = ok(R"({"reqID": 1, "msgType": "write",
                 "data": {"path": "/3/0/13", "type": "Time", "value": 1367491215}})");
  EXPECT_EQ(w.method, coap_method::put);
  EXPECT_EQ(w.content_format, content_format::tlv);
  EXPECT_EQ(w.payload, hex("C4 0D 51 82 42 8F"));
  // No "type": taken from the object definition. Values as strings, as EMQX accepts them.
  auto t = ok(R"({"msgType": "write", "data": {"path": "/3311/0/5850", "value": "true"}})");
  EXPECT_EQ(t.payload, hex("E1 16 DA 01"));
  auto text = ok(R"({"msgType": "write", "data": {"path": "/3/0/14", "type": "String",
                    "value": "+02:00", "format": "text"}})");
  EXPECT_EQ(text.content_format, content_format::text);
  EXPECT_EQ(std::string(text.payload.begin(), text.payload.end()), "+02:00");
  auto ri =
      ok(R"({"msgType": "write", "data": {"path": "/3/0/6/1", "type": "Integer", "value": 5}})");
  EXPECT_EQ(ri.payload, hex("41 01 05"));
  auto hexop = ok(R"({"msgType": "write", "encoding": "hex",
                     "data": {"path": "/5/0/0", "type": "Opaque", "value": "0102"}})");
  EXPECT_EQ(hexop.payload, hex("C2 00 01 02"));
  EXPECT_EQ(hexop.encoding, opaque_encoding::hex);
}

TEST(Command, BatchWriteAndCreate) {
  // basePath on an instance: POST (partial update) with the resources; paths relative.
  auto b = ok(R"({"reqID": 3, "msgType": "write", "data": {"basePath": "/3/0", "content": [
      {"path": "/13", "type": "Time", "value": 1367491215},
      {"path": "14", "type": "String", "value": "+02:00"}]}})");
  EXPECT_EQ(b.method, coap_method::post);
  EXPECT_EQ(b.req_path, "/3/0");
  EXPECT_EQ(b.payload, hex("C4 0D 51 82 42 8F C6 0E 2B 30 32 3A 30 30"));
  // basePath on a resource: PUT replacing its instances.
  auto m = ok(R"({"msgType": "write", "data": {"basePath": "/3/0/6", "content": [
      {"path": "/0", "type": "Integer", "value": 1}, {"path": "/1", "type": "Integer", "value": 5}]}})");
  EXPECT_EQ(m.method, coap_method::put);
  EXPECT_EQ(m.payload, hex("86 06 41 00 01 41 01 05"));
  // An absolute path that cannot be relative is taken as absolute.
  auto abs = ok(R"({"msgType": "write", "data": {"basePath": "/3/0", "content": [
      {"path": "/3/0/14", "type": "String", "value": "+01"}]}})");
  EXPECT_EQ(abs.payload, hex("C3 0E 2B 30 31"));
  auto c = ok(R"({"msgType": "create", "data": {"basePath": "/3303", "content": [
      {"path": "/1/5700", "type": "Float", "value": 21.5}]}})");
  EXPECT_EQ(c.method, coap_method::post);
  EXPECT_EQ(c.content_format, content_format::tlv);
  EXPECT_EQ(c.payload, hex("07 01 E4 16 44 41 AC 00 00"));
  // Without an instance id the device picks one: bare resources.
  auto bare = ok(R"({"msgType": "create", "data": {"basePath": "/3303", "content": [
      {"path": "/5700", "type": "Float", "value": 21.5}]}})");
  EXPECT_EQ(bare.payload, hex("E4 16 44 41 AC 00 00"));
  EXPECT_EQ(bare.req_path, "/3303");
  EXPECT_EQ(bare.target, P("/3303"));
  EXPECT_TRUE(
      ok(R"({"msgType": "create", "data": {"basePath": "/3303", "content": []}})").payload.empty());
}

TEST(Command, WriteAttrExecute) {
  auto a = ok(R"({"msgType": "write-attr", "data": {"path": "/3303/0/5700",
                 "pmin": "10", "pmax": 60, "gt": 30.5, "lt": null, "st": "0.5"}})");
  EXPECT_EQ(a.method, coap_method::put);
  EXPECT_EQ(a.query, (std::vector<std::string>{"pmin=10", "pmax=60", "gt=30.5", "st=0.5"}));
  EXPECT_TRUE(a.payload.empty());
  auto e = ok(R"({"msgType": "execute", "data": {"path": "/3/0/4", "args": "0='x'"}})");
  EXPECT_EQ(e.method, coap_method::post);
  EXPECT_EQ(e.content_format, content_format::text);
  EXPECT_EQ(std::string(e.payload.begin(), e.payload.end()), "0='x'");
  EXPECT_TRUE(ok(R"({"msgType": "execute", "data": {"path": "/3/0/4", "args": "undefined"}})")
                  .payload.empty());
}

TEST(Command, RefusalsSayWhy) {
  EXPECT_EQ(refused("{"), "command is not valid JSON");
  EXPECT_EQ(refused("[1]"), "command must be a JSON object");
  EXPECT_EQ(refused(R"({"data": {}})"), "msgType missing");
  EXPECT_EQ(refused(R"({"msgType": "reboot", "data": {}})"), "unknown msgType 'reboot'");
  EXPECT_EQ(refused(R"({"msgType": "read"})"), "data must be an object");
  EXPECT_EQ(refused(R"({"msgType": "read", "data": {}})"), "data.path missing");
  EXPECT_EQ(refused(R"({"msgType": "read", "data": {"path": 3}})"), "data.path must be a string");
  EXPECT_EQ(refused(R"({"msgType": "read", "data": {"path": "/3/x"}})"),
            "bad path '/3/x': 'x' is not a number");
  EXPECT_EQ(refused(R"({"msgType": "execute", "data": {"path": "/3/0"}})"),
            "data.path must be /obj/inst/res");
  EXPECT_EQ(refused(R"({"msgType": "write", "data": {"path": "/3/0/13", "type": "Time"}})"),
            "data.value missing");
  EXPECT_EQ(
      refused(
          R"({"msgType": "write", "data": {"path": "/3/0/9", "type": "Integer", "value": "x"}})"),
      "data.value for type Integer: 'x' is not an integer");
  EXPECT_EQ(refused(R"({"msgType": "write", "data": {"path": "/32769/0/1", "value": 1}})"),
            "data.type missing and /32769/0/1 has no object definition");
  EXPECT_EQ(
      refused(R"({"msgType": "write", "data": {"basePath": "/3/0", "content": [{"path": "/1"}]}})"),
      "data.content[0].value missing");
  EXPECT_EQ(refused(R"({"msgType": "write", "data": {"basePath": "/3/0", "content": {}}})"),
            "data.content must be a list");
  EXPECT_EQ(refused(R"({"msgType": "write", "data": {"basePath": "/3", "content": []}})"),
            "data.basePath must be /obj/inst to /obj/inst/res");
  EXPECT_EQ(refused(R"({"msgType": "write-attr", "data": {"path": "/3/0/9", "pmin": "-1"}})"),
            "data.pmin must be a non-negative integer");
  EXPECT_EQ(refused(R"({"msgType": "read", "encoding": "b32", "data": {"path": "/3"}})"),
            "encoding must be \"hex\" or \"base64\"");
  EXPECT_EQ(refused(R"({"msgType": "create", "data": {"basePath": "/3/0", "content": []}})"),
            "data.basePath must be /obj");
  // The error keeps the request so the response can echo reqID.
  auto r = parse_command(R"({"reqID": 9, "msgType": "read", "data": {}})", shipped());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().request["reqID"], 9);
}

TEST(Command, AbsurdNestingIsRefusedBeforeParsing) {
  std::string deep = R"({"msgType": "read", "data": {"path": "/3"}, "x": )" + std::string(40, '[') +
                     std::string(40, ']') + "}";
  EXPECT_EQ(refused(deep), "command nested deeper than 32 levels");
  // Brackets inside strings do not count.
  ok(R"({"msgType": "read", "data": {"path": "/3"}, "x": ")" + std::string(40, '[') + R"("})");
}
