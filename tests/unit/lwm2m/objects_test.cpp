// Object definition files: the format's validation, the loader, and the shipped objects.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_util.hpp"

using namespace edgegw::lwm2m;
using lwm2m_test::shipped;

namespace {

const char* user_object = R"({
  "id": 32769, "name": "Pump", "urn": "urn:oma:lwm2m:x:32769", "multiple": true,
  "resources": [
    {"id": 1, "name": "Flow", "type": "Float", "operations": "R", "units": "l/min"},
    {"id": 0, "name": "Running", "type": "Boolean", "operations": "RW", "mandatory": true},
    {"id": 2, "name": "Purge", "operations": "E"}
  ]
})";

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    char tmpl[] = "/tmp/lwm2m_objects_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~temp_dir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, std::string_view text) const {
    std::ofstream(path / name) << text;
  }
};

}  // namespace

TEST(Objects, ParsesAUserObject) {
  auto r = parse_object_def(user_object);
  ASSERT_TRUE(r) << r.error().reason;
  const object_def& o = r.value();
  EXPECT_EQ(o.id, 32769);
  EXPECT_TRUE(o.multiple);
  ASSERT_EQ(o.resources.size(), 3u);
  EXPECT_EQ(o.resources[0].id, 0);  // sorted
  EXPECT_EQ(o.find(1)->type, value_type::floating);
  EXPECT_EQ(o.find(1)->units, "l/min");
  EXPECT_EQ(o.find(2)->operations, operations::e);
  EXPECT_EQ(o.find(2)->type, value_type::none);
  EXPECT_EQ(o.find(9), nullptr);
}

TEST(Objects, ErrorsNameTheField) {
  auto err = [](std::string_view text) {
    auto r = parse_object_def(text);
    return r ? std::string("ok") : r.error().reason;
  };
  EXPECT_EQ(err("[]"), "must be a JSON object");
  EXPECT_EQ(err("{"), "not valid JSON");
  EXPECT_EQ(err(R"({"name":"x","resources":[]})"), "id: missing");
  EXPECT_EQ(err(R"({"id":1,"name":"x","resources":[],"colour":1})"), "colour: unknown key");
  EXPECT_EQ(
      err(R"({"id":1,"name":"x","resources":[{"id":0,"name":"a","type":"Strng","operations":"R"}]})"),
      "resources[0].type: unknown type 'Strng'");
  EXPECT_EQ(
      err(R"({"id":1,"name":"x","resources":[{"id":0,"name":"a","type":"String","operations":"X"}]})"),
      "resources[0].operations: must be one of R, W, RW, E or \"\"");
  EXPECT_EQ(
      err(R"({"id":1,"name":"x","resources":[{"id":0,"name":"a","type":"String","operations":"R"},{"id":0,"name":"b","type":"String","operations":"R"}]})"),
      "resources[1].id: duplicate id 0");
  EXPECT_EQ(err(R"({"id":70000,"name":"x","resources":[]})"), "id: must be an integer 0-65534");
  EXPECT_EQ(err(R"({"id":1,"name":"x","resources":[{"id":0,"name":"a","operations":"R"}]})"),
            "resources[0].type: missing");
}

TEST(Objects, LoaderReportsEveryBadFileByName) {
  temp_dir d;
  d.write("a.json", user_object);
  d.write("b.json", "{");
  d.write("c.json", R"({"id":1})");
  d.write("notes.txt", "ignored");
  auto r = object_registry::load_directory(d.path);
  ASSERT_FALSE(r);
  ASSERT_EQ(r.error().size(), 2u);
  EXPECT_EQ(r.error()[0], (d.path / "b.json").string() + ": not valid JSON");
  EXPECT_EQ(r.error()[1], (d.path / "c.json").string() + ": name: missing");
  EXPECT_FALSE(object_registry::load_directory(d.path / "missing").has_value());
}

TEST(Objects, LaterFileOverridesAndUnknownFallsBack) {
  temp_dir d;
  d.write(
      "a.json",
      R"({"id":3,"name":"Device","resources":[{"id":0,"name":"M","type":"Integer","operations":"R"}]})");
  d.write(
      "b.json",
      R"({"id":3,"name":"Mine","resources":[{"id":0,"name":"M","type":"Float","operations":"R"}]})");
  auto r = object_registry::load_directory(d.path);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.value().size(), 1u);
  EXPECT_EQ(r.value().find(3)->name, "Mine");
  EXPECT_EQ(r.value().type_of(3, 0), value_type::floating);
  EXPECT_EQ(r.value().type_of(3, 1), value_type::opaque);
  EXPECT_EQ(r.value().type_of(4, 0, value_type::string), value_type::string);
}

TEST(Objects, ShippedDefinitionsLoad) {
  const auto& reg = shipped();
  for (uint16_t id : {0,    1,    2,    3,    4,    5,    6,    7,    3303, 3304, 3311,
                      3312, 3313, 3315, 3316, 3317, 3323, 3336, 3341, 3342, 3347, 3348})
    EXPECT_NE(reg.find(id), nullptr) << id;
  EXPECT_EQ(reg.find(3)->name, "Device");
  EXPECT_EQ(reg.type_of(3, 13), value_type::time);
  EXPECT_EQ(reg.find(3, 4)->operations, operations::e);
  EXPECT_TRUE(reg.find(3, 6)->multiple);
  EXPECT_EQ(reg.type_of(3303, 5700), value_type::floating);
  EXPECT_EQ(reg.type_of(3311, 5850), value_type::boolean);
  EXPECT_EQ(reg.type_of(5, 0), value_type::opaque);
  EXPECT_EQ(reg.find(1, 1)->operations, operations::rw);
  EXPECT_EQ(reg.find(3341)->name, "Addressable Text Display");
}
