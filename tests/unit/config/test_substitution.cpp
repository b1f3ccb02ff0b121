// ${...} substitution: variables, key references, runtime placeholders, escapes, cycles.
#include <gtest/gtest.h>

#include "test_helpers.hpp"

namespace edgegw::config {
namespace {

using test::joined;
using test::messages;
using strings = std::vector<std::string>;
using vars = std::map<std::string, std::string>;

load_result run(std::string_view text, const strings& overrides = {}, const vars& v = {}) {
  return load_text(text, "t.ini", overrides, v);
}

TEST(ConfigSubstitution, NodeNameSerialAndKeys) {
  auto r =
      run("[node]\n"
          "name = gw-${serial}\n"
          "data_dir = /data/${node.name}\n"
          "[log]\n"
          "file = ${node.data_dir}/log-${log.level}.txt\n"
          "[listener.tcp.default]\n"
          "mountpoint = ${node.name}/${clientid}/\n",
          {}, vars{{"serial", "A1B2"}});
  ASSERT_TRUE(r.config) << joined(r);
  const values& v = *r.config;
  EXPECT_EQ(v.get_string("node.name"), "gw-A1B2");
  EXPECT_EQ(v.get_path("node.data_dir"), "/data/gw-A1B2");
  EXPECT_EQ(v.get_path("log.file"), "/data/gw-A1B2/log-info.txt");  // an enum is text too
  EXPECT_EQ(v.get_string("listener.tcp.default.mountpoint"), "gw-A1B2/${clientid}/");
}

TEST(ConfigSubstitution, UsesFinalValuesAfterOverrides) {
  auto r = run("[node]\nname = file\ndata_dir = /d/${node.name}\n", {"node.name=set"});
  ASSERT_TRUE(r.config) << joined(r);
  EXPECT_EQ(r.config->get_path("node.data_dir"), "/d/set");
  auto s = run("", {"node.data_dir=/x/${serial}"}, vars{{"serial", "9"}});
  ASSERT_TRUE(s.config) << joined(s);
  EXPECT_EQ(s.config->get_path("node.data_dir"), "/x/9");
}

TEST(ConfigSubstitution, RuntimePlaceholdersOnlyInTemplateKeys) {
  auto r =
      run("[listener.ws.default]\n"
          "mountpoint = ${clientid}/${username}/${endpoint_name}/\n");
  ASSERT_TRUE(r.config) << joined(r);
  EXPECT_EQ(r.config->get_string("listener.ws.default.mountpoint"),
            "${clientid}/${username}/${endpoint_name}/");
  EXPECT_EQ(messages(run("[node]\nname = ${clientid}\n")),
            strings{"t.ini:2: node.name: unknown variable ${clientid}"});
}

TEST(ConfigSubstitution, Problems) {
  auto r =
      run("[node]\n"
          "name = ${nosuch}\n"                  // 2
          "data_dir = /a/${node.io_threads}\n"  // 3
          "[log]\n"
          "file = /x/${unterminated\n"  // 5
          "[listener.tcp.default]\n"
          "mountpoint = ${listener.tcp.other.mountpoint}\n"  // 7
          "[listener.ssl.default]\n"
          "certfile = ${}\n",  // 9
          {"auth.acl_file=${serial}"});
  EXPECT_EQ(messages(r), (strings{"t.ini:2: node.name: unknown variable ${nosuch}",
                                  "t.ini:3: node.data_dir: ${node.io_threads} is not a text key",
                                  "t.ini:5: log.file: unterminated \"${\"",
                                  "t.ini:7: listener.tcp.default.mountpoint: unknown variable "
                                  "${listener.tcp.other.mountpoint}",
                                  "t.ini:9: listener.ssl.default.certfile: unknown variable ${}",
                                  "--set:1: auth.acl_file: unknown variable ${serial}"}));
}

TEST(ConfigSubstitution, Cycles) {
  EXPECT_EQ(messages(run("[node]\nname = ${node.name}\n")),
            strings{"t.ini:2: node.name: circular reference through ${node.name}"});
  auto r =
      run("[node]\nname = ${node.data_dir}\ndata_dir = ${log.file}\n[log]\nfile = ${node.name}\n");
  ASSERT_EQ(r.problems.size(), 1u) << joined(r);
  EXPECT_NE(r.problems[0].message.find("circular reference"), std::string::npos);
}

TEST(ConfigSubstitution, EscapesAndEmptyResults) {
  auto r =
      run("[node]\nname = a$${b}c$\ndata_dir = $${serial}x${serial}\n[log]\nfile = $$${serial}\n",
          {}, vars{{"serial", "S"}});
  ASSERT_TRUE(r.config) << joined(r);
  EXPECT_EQ(r.config->get_string("node.name"), "a${b}c$");
  EXPECT_EQ(r.config->get_path("node.data_dir"), "${serial}xS");
  // Read left to right: "$", then the escape "$${".
  EXPECT_EQ(r.config->get_path("log.file"), "$${serial}");
  // A value that must not be empty is checked again after substitution.
  EXPECT_EQ(messages(run("[node]\nname = ${serial}\n", {}, vars{{"serial", ""}})),
            strings{"t.ini:2: node.name is empty after substitution"});
  // Substituted text is not substituted again.
  auto once = run("[node]\nname = ${serial}\n", {}, vars{{"serial", "${node.name}"}});
  ASSERT_TRUE(once.config) << joined(once);
  EXPECT_EQ(once.config->get_string("node.name"), "${node.name}");
}

}  // namespace
}  // namespace edgegw::config
