// Loading: defaults, the ini file (syntax, sections, keys, instances, problems with line
// numbers), --set overrides and the typed getters.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "gateway/config/detail/builder.hpp"
#include "gateway/config/detail/value_parser.hpp"
#include "test_helpers.hpp"

namespace edgegw::config {
namespace {

using namespace std::chrono_literals;
using test::joined;
using test::messages;
using strings = std::vector<std::string>;

values load_ok(std::string_view text, const strings& overrides = {}) {
  auto r = load_text(text, "t.ini", overrides);
  EXPECT_TRUE(r.problems.empty()) << joined(r);
  EXPECT_TRUE(r.config.has_value());
  return r.config ? std::move(*r.config) : values{};
}

strings problems(std::string_view text, const strings& overrides = {}) {
  auto r = load_text(text, "t.ini", overrides);
  EXPECT_FALSE(r.config.has_value());
  return messages(r);
}

TEST(ConfigLoad, DefaultsWithoutFile) {
  auto r = load(std::nullopt, {});
  ASSERT_TRUE(r.config) << joined(r);
  const values& v = *r.config;
  EXPECT_EQ(v.get_string("node.name"), "edgegw");
  EXPECT_EQ(v.get_path("node.data_dir"), "/var/lib/edgegw");
  EXPECT_EQ(v.get_int("node.io_threads"), 0);
  EXPECT_EQ(v.get_duration("node.sys_interval"), 1min);
  EXPECT_EQ(v.get_string("log.level"), "info");
  EXPECT_EQ(v.get_size("mqtt.max_packet_size"), 1024u * 1024u);
  EXPECT_EQ(v.get_double("mqtt.keepalive_multiplier"), 1.5);
  EXPECT_EQ(v.get_duration("mqtt.idle_timeout"), 15s);
  EXPECT_EQ(v.get_duration("mqtt.session_expiry_interval"), 2h);
  EXPECT_EQ(v.get_duration("mqtt.max_session_expiry"), std::chrono::milliseconds::max());
  EXPECT_EQ(v.get_duration("persistence.flush_interval"), 50ms);
  EXPECT_TRUE(v.get_bool("mqtt.retain_available"));
  EXPECT_FALSE(v.get_bool("mqtt.upgrade_qos"));
  EXPECT_EQ(v.get_endpoint("listener.tcp.default.bind"), (endpoint{"0.0.0.0", 1883}));
  EXPECT_EQ(v.get_endpoint("listener.ssl.default.bind"), (endpoint{"0.0.0.0", 8883}));
  EXPECT_EQ(v.get_endpoint("listener.ws.default.bind"), (endpoint{"0.0.0.0", 8083}));
  EXPECT_EQ(v.get_endpoint("listener.wss.default.bind"), (endpoint{"0.0.0.0", 8084}));
  EXPECT_EQ(v.get_string("listener.ws.default.path"), "/mqtt");
  EXPECT_FALSE(v.get_bool("listener.ssl.default.enable"));
  EXPECT_EQ(v.get_string("listener.ssl.default.verify"), "none");
  EXPECT_EQ(v.get_string("listener.tcp.default.mountpoint"), "");
  for (auto kind : {"listener.tcp", "listener.ssl", "listener.ws", "listener.wss"}) {
    EXPECT_EQ(v.instances(kind), strings{"default"}) << kind;
  }
  EXPECT_EQ(v.origin_of("node.name").str(), "default");
  // Every non-dynamic schema key has a value (fixed sections and default instances).
  for (const auto& k : keys()) {
    if (k.dynamic()) continue;
    std::string section(k.section);
    if (section.ends_with(".*")) {
      section.replace(section.size() - 1, 1, "default");
      if (find_section(section)->default_instance.empty()) {  // [bridge.NAME]: none by default
        EXPECT_FALSE(v.contains(section + "." + std::string(k.key))) << section << "." << k.key;
        continue;
      }
    }
    EXPECT_TRUE(v.contains(section + "." + std::string(k.key))) << section << "." << k.key;
  }
}

TEST(ConfigLoad, GettersRejectProgrammingErrors) {
  values v = load_ok("");
  EXPECT_THROW(v.get_int("node.nosuch"), std::logic_error);
  EXPECT_THROW(v.get_int("nosuch"), std::logic_error);
  EXPECT_THROW(v.get_int("node.name"), std::logic_error);  // a string
  EXPECT_THROW(v.get_bool("mqtt.max_inflight"), std::logic_error);
  EXPECT_THROW(v.get_size("mqtt.idle_timeout"), std::logic_error);
  EXPECT_THROW(v.get_path("node.name"), std::logic_error);  // a string, not a path
  EXPECT_THROW(v.get_list("node.name"), std::logic_error);
  EXPECT_THROW(v.get_endpoint("node.name"), std::logic_error);
  EXPECT_THROW(v.get_double("mqtt.max_inflight"), std::logic_error);
  EXPECT_THROW(v.get_duration("mqtt.max_inflight"), std::logic_error);
  // In the schema, but no such instance.
  EXPECT_THROW(v.get_endpoint("listener.tcp.other.bind"), std::logic_error);
  EXPECT_THROW(v.origin_of("listener.tcp.other.bind"), std::logic_error);
  EXPECT_THROW(v.instances("listener"), std::logic_error);
  EXPECT_THROW(v.instances("node"), std::logic_error);
  // get_string also reads enumerations and paths.
  EXPECT_EQ(v.get_string("log.target"), "stderr");
  EXPECT_EQ(v.get_string("auth.password_file"), "");
}

TEST(ConfigLoad, FileValuesOfEveryType) {
  values w = load_ok(
      "[node]\n"
      "name = gw-7\n"
      "io_threads = 4\n"
      "sys_interval = 0\n"
      "[mqtt]\n"
      "max_packet_size = 1024KB\n"
      "keepalive_multiplier = 2.25\n"
      "idle_timeout = 15000ms\n"
      "max_session_expiry = 1h\n"
      "retain_available = off\n"
      "mqueue_overflow = drop_newest\n"
      "[listener.tcp.default]\n"
      "bind = [::1]:0\n"
      "[listener.ssl.default]\n"
      "certfile = \"/etc/edgegw/my cert.pem\"\n");
  EXPECT_EQ(w.get_string("node.name"), "gw-7");
  EXPECT_EQ(w.get_int("node.io_threads"), 4);
  EXPECT_EQ(w.get_duration("node.sys_interval"), 0ms);
  EXPECT_EQ(w.get_size("mqtt.max_packet_size"), 1048576u);
  EXPECT_EQ(w.get_double("mqtt.keepalive_multiplier"), 2.25);
  EXPECT_EQ(w.get_duration("mqtt.idle_timeout"), 15s);
  EXPECT_EQ(w.get_duration("mqtt.max_session_expiry"), 1h);
  EXPECT_FALSE(w.get_bool("mqtt.retain_available"));
  EXPECT_EQ(w.get_string("mqtt.mqueue_overflow"), "drop_newest");
  EXPECT_EQ(w.get_endpoint("listener.tcp.default.bind"), (endpoint{"::1", 0}));
  EXPECT_EQ(w.get_path("listener.ssl.default.certfile"), "/etc/edgegw/my cert.pem");
  EXPECT_EQ(w.origin_of("mqtt.idle_timeout").str(), "t.ini:8");
  EXPECT_EQ(w.origin_of("mqtt.max_inflight").str(), "default");
}

TEST(ConfigLoad, AllProblemsWithLineNumbers) {
  auto p = problems(
      "[node]\n"                          // 1
      "name = x\n"                        // 2
      "name = y\n"                        // 3
      "[bogus]\n"                         // 4
      "foo = 1\n"                         // 5 (under an unknown section: not reported again)
      "[mqtt]\n"                          // 6
      "max_inflght = 3\n"                 // 7
      "max_packet_size = -1\n"            // 8
      "max_packet_size2\n"                // 9
      "; fine\n"                          // 10
      "max_qos_allowed = 3\n"             // 11
      "idle_timeout = soon\n"             // 12
      "[listener.tcp.default\n"           // 13
      "bind = nowhere\n"                  // 14 (skipped: broken header)
      "[listener.tcp.default]\n"          // 15
      "bind = 1.2.3.4:70000\n"            // 16
      "max_connections = 100000000000\n"  // 17
      "[auth]\n"                          // 18
      "acl_nomatch = maybe\n");           // 19
  strings want{
      "t.ini:3: duplicate key \"name\" in [node] (first set on line 2)",
      "t.ini:4: unknown section [bogus]",
      "t.ini:7: unknown key \"max_inflght\" in [mqtt] (did you mean \"max_inflight\"?)",
      "t.ini:8: bad value \"-1\" for mqtt.max_packet_size: must not be negative; expected a size "
      "in 16..256MB (bytes, KB, MB, GB)",
      "t.ini:9: expected KEY = VALUE, got \"max_packet_size2\"",
      "t.ini:11: bad value \"3\" for mqtt.max_qos_allowed: out of range; expected an integer in "
      "0..2",
      "t.ini:12: bad value \"soon\" for mqtt.idle_timeout: expected a duration in 1ms..1h (ms, s, "
      "m, h; a plain number is in seconds)",
      "t.ini:13: section header is missing ']'",
      "t.ini:16: bad value \"1.2.3.4:70000\" for listener.tcp.default.bind: port out of range "
      "0..65535; expected HOST:PORT, [IPv6]:PORT or :PORT (all interfaces), port 0..65535",
      "t.ini:17: bad value \"100000000000\" for listener.tcp.default.max_connections: out of "
      "range; expected an integer in 1..100000000",
      "t.ini:19: bad value \"maybe\" for auth.acl_nomatch: expected one of: auto, allow, deny",
  };
  EXPECT_EQ(p, want);
}

TEST(ConfigLoad, UnknownSectionsAndKeys) {
  EXPECT_EQ(problems("[mqt]\n"), strings{"t.ini:1: unknown section [mqt] (did you mean [mqtt]?)"});
  EXPECT_EQ(problems("[Node]\n"),
            strings{"t.ini:1: unknown section [Node] (did you mean [node]?)"});
  EXPECT_EQ(problems("[listner.tcp.default]\n"),
            strings{"t.ini:1: unknown section [listner.tcp.default] (did you mean "
                    "[listener.tcp.default]?)"});
  EXPECT_EQ(problems("[listener.tcp]\n"),
            strings{"t.ini:1: section [listener.tcp] needs a name, as in [listener.tcp.default]"});
  EXPECT_EQ(problems("[listener.tcp.a.b]\n"),
            strings{"t.ini:1: invalid name in [listener.tcp.a.b]: after \"listener.tcp.\" use "
                    "one name of letters, digits, '_' and '-'"});
  EXPECT_EQ(problems("[listener.tcp.a b]\n"),
            strings{"t.ini:1: invalid name in [listener.tcp.a b]: after \"listener.tcp.\" use "
                    "one name of letters, digits, '_' and '-'"});
  EXPECT_EQ(problems("[]\n"), strings{"t.ini:1: empty section name"});
  EXPECT_EQ(problems("[node]\nmax_connections = 5\n"),
            strings{"t.ini:2: unknown key \"max_connections\" in [node] (it belongs in [limits])"});
  EXPECT_EQ(problems("[node]\nNAME = x\n"),
            strings{"t.ini:2: unknown key \"NAME\" in [node] (did you mean \"name\"?)"});
  EXPECT_EQ(problems("[node]\nwhatever = x\n"),
            strings{"t.ini:2: unknown key \"whatever\" in [node]"});
  EXPECT_EQ(problems("name = x\n"),
            strings{"t.ini:1: key \"name\" is outside any section; put it under a [section]"});
  EXPECT_EQ(problems("[node]\n= x\n"), strings{"t.ini:2: missing key name before '='"});
  // A section's keys are known only in that section.
  EXPECT_EQ(problems("[listener.ws.default]\ntcp_nodelay = true\n"),
            strings{"t.ini:2: unknown key \"tcp_nodelay\" in [listener.ws.default] (it belongs "
                    "in [listener.tcp.NAME])"});
}

TEST(ConfigLoad, Syntax) {
  EXPECT_EQ(problems("[node] extra\n"), strings{"t.ini:1: unexpected text after ']': \"extra\""});
  values v = load_ok("[node] ; comment\n[log] # comment\n");
  (void)v;
  EXPECT_EQ(problems("[node]\njust words\n\tindented words\n"),
            (strings{"t.ini:2: expected KEY = VALUE, got \"just words\"",
                     "t.ini:3: expected KEY = VALUE, got \"indented words\""}));
  // ':' is inih's other separator; an inline comment needs a space before ';'.
  values w = load_ok("[node]\nname: a;b ; the name\n");
  EXPECT_EQ(w.get_string("node.name"), "a;b");
  // A ';' comment before any '=' makes the line a bare word.
  EXPECT_EQ(problems("[node]\nname ; = x\n"),
            strings{"t.ini:2: expected KEY = VALUE, got \"name ; = x\""});
  // NUL bytes and overlong lines are reported, not truncated.
  EXPECT_EQ(problems(std::string_view("[node]\nname = a\0b\n", 16)),
            strings{"t.ini:2: line contains a NUL byte"});
  std::string long_line = "[node]\nname = " + std::string(300, 'x') + "\n";
  EXPECT_EQ(problems(long_line), strings{"t.ini:2: line too long (307 characters; at most 199)"});
  std::string fits = "[node]\nname = " + std::string(192, 'x') + "\n";
  EXPECT_EQ(load_ok(fits).get_string("node.name"), std::string(192, 'x'));
}

TEST(ConfigLoad, LineEndingsCommentsAndBom) {
  std::string_view crlf =
      "; comment\r\n# another\r\n[node]\r\nname = crlf\r\n\r\n[mqtt]\r\nmax_inflight = 7\r\n";
  values v = load_ok(crlf);
  EXPECT_EQ(v.get_string("node.name"), "crlf");
  EXPECT_EQ(v.get_int("mqtt.max_inflight"), 7);
  EXPECT_EQ(messages(load_text("[node]\r\nname = a\r\nnope = 1\r\n", "t.ini")),
            strings{"t.ini:3: unknown key \"nope\" in [node]"});
  values bom = load_ok("\xEF\xBB\xBF[node]\nname = bom\n");
  EXPECT_EQ(bom.get_string("node.name"), "bom");
  // A BOM elsewhere than the start is not skipped.
  EXPECT_EQ(problems("[node]\n\xEF\xBB\xBFname = x\n").size(), 1u);
  // Indented keys are keys (inih would take them as continuation lines).
  values ind = load_ok("[node]\n  name = a\n    io_threads = 2\n\t[mqtt]\n\tmax_inflight = 9\n");
  EXPECT_EQ(ind.get_string("node.name"), "a");
  EXPECT_EQ(ind.get_int("node.io_threads"), 2);
  EXPECT_EQ(ind.get_int("mqtt.max_inflight"), 9);
  // No newline at the end, and an empty file.
  EXPECT_EQ(load_ok("[node]\nname = last").get_string("node.name"), "last");
  EXPECT_EQ(load_ok("").get_string("node.name"), "edgegw");
  EXPECT_EQ(load_ok("\n\n; only comments\n").get_string("node.name"), "edgegw");
}

TEST(ConfigLoad, DuplicateAcrossRepeatedSection) {
  EXPECT_EQ(problems("[mqtt]\nmax_inflight = 1\n[node]\n[mqtt]\nmax_inflight = 2\n"),
            strings{"t.ini:5: duplicate key \"max_inflight\" in [mqtt] (first set on line 2)"});
  // Repeating a section without repeating keys is fine.
  values v = load_ok("[mqtt]\nmax_inflight = 1\n[node]\n[mqtt]\nmax_awaiting_rel = 2\n");
  EXPECT_EQ(v.get_int("mqtt.max_inflight"), 1);
  EXPECT_EQ(v.get_int("mqtt.max_awaiting_rel"), 2);
}

TEST(ConfigLoad, Instances) {
  values v = load_ok(
      "[listener.tcp.zz-last]\n"
      "[listener.tcp.extra_1]\n"
      "bind = 127.0.0.1:0\n"
      "mountpoint = site1/\n"
      "[listener.ssl.internal]\n"
      "verify = peer\n");
  EXPECT_EQ(v.instances("listener.tcp"), (strings{"default", "extra_1", "zz-last"}));
  EXPECT_EQ(v.instances("listener.ssl"), (strings{"default", "internal"}));
  EXPECT_EQ(v.instances("listener.ws"), (strings{"default"}));
  // New instances start from the schema defaults.
  EXPECT_EQ(v.get_endpoint("listener.tcp.zz-last.bind"), (endpoint{"0.0.0.0", 1883}));
  EXPECT_TRUE(v.get_bool("listener.tcp.zz-last.enable"));
  EXPECT_EQ(v.get_endpoint("listener.tcp.extra_1.bind"), (endpoint{"127.0.0.1", 0}));
  EXPECT_EQ(v.get_string("listener.tcp.extra_1.mountpoint"), "site1/");
  EXPECT_EQ(v.get_endpoint("listener.tcp.default.bind"), (endpoint{"0.0.0.0", 1883}));
  EXPECT_FALSE(v.get_bool("listener.ssl.internal.enable"));
  EXPECT_EQ(v.get_string("listener.ssl.internal.verify"), "peer");
  EXPECT_EQ(v.get_string("listener.ssl.default.verify"), "none");
  EXPECT_EQ(v.keys_with_prefix("listener.tcp.extra_1."),
            (strings{"listener.tcp.extra_1.bind", "listener.tcp.extra_1.enable",
                     "listener.tcp.extra_1.max_conn_rate", "listener.tcp.extra_1.max_connections",
                     "listener.tcp.extra_1.mountpoint", "listener.tcp.extra_1.tcp_nodelay"}));
  EXPECT_TRUE(v.keys_with_prefix("listener.tcp.nosuch.").empty());
}

TEST(ConfigLoad, OverridesOfEveryKind) {
  values v = load_ok(
      "[node]\nname = from-file\n[mqtt]\nmax_inflight = 5\n",
      {"node.name=from-set", "node.io_threads = 3", "mqtt.upgrade_qos=yes",
       "mqtt.keepalive_multiplier=10", "mqtt.retry_interval=2m", "mqtt.max_packet_size=2MB",
       "log.level=debug", "node.data_dir=/tmp/x", "listener.tcp.default.bind=127.0.0.1:18830",
       "listener.ssl.default.enable=true", "listener.tcp.extra.bind=:0", "mqtt.max_inflight=6",
       "mqtt.max_inflight=7", "listener.tcp.default.mountpoint=\"m/ \""});
  EXPECT_EQ(v.get_string("node.name"), "from-set");
  EXPECT_EQ(v.get_int("node.io_threads"), 3);
  EXPECT_TRUE(v.get_bool("mqtt.upgrade_qos"));
  EXPECT_EQ(v.get_double("mqtt.keepalive_multiplier"), 10.0);
  EXPECT_EQ(v.get_duration("mqtt.retry_interval"), 2min);
  EXPECT_EQ(v.get_size("mqtt.max_packet_size"), 2u << 20);
  EXPECT_EQ(v.get_string("log.level"), "debug");
  EXPECT_EQ(v.get_path("node.data_dir"), "/tmp/x");
  EXPECT_EQ(v.get_endpoint("listener.tcp.default.bind"), (endpoint{"127.0.0.1", 18830}));
  EXPECT_TRUE(v.get_bool("listener.ssl.default.enable"));
  EXPECT_EQ(v.instances("listener.tcp"), (strings{"default", "extra"}));
  EXPECT_EQ(v.get_endpoint("listener.tcp.extra.bind"), (endpoint{"", 0}));
  EXPECT_EQ(v.get_int("mqtt.max_inflight"), 7);  // the last --set wins over the file
  EXPECT_EQ(v.origin_of("mqtt.max_inflight").str(), "--set:13");
  EXPECT_EQ(v.get_string("listener.tcp.default.mountpoint"), "m/ ");
}

TEST(ConfigLoad, OverrideOfEveryKeyAtItsDefaultAndWithGarbage) {
  values defaults = load_ok("");
  for (const auto& k : keys()) {
    if (k.dynamic()) continue;
    // Pattern sections are tried on a new instance, "other".
    std::string section(k.section);
    std::string default_section = section;
    bool has_default_instance = true;
    if (section.ends_with(".*")) {
      section.replace(section.size() - 1, 1, "other");
      has_default_instance = !find_section(section)->default_instance.empty();
      default_section.replace(default_section.size() - 1, 1, "default");
    }
    std::string full = section + "." + std::string(k.key);
    std::string text = detail::format_value(k, detail::default_value(k));
    auto ok = load_text("", "t.ini", strings{full + "=" + text});
    ASSERT_TRUE(ok.config) << full << ": " << joined(ok);
    // Sections without a default instance ([bridge.NAME]) exist only when configured.
    EXPECT_EQ(ok.config->get_value(full),
              has_default_instance ? defaults.get_value(default_section + "." + std::string(k.key))
                                   : detail::default_value(k))
        << full;
    EXPECT_EQ(ok.config->origin_of(full).str(), "--set:1");
    if (k.type == value_type::string || k.type == value_type::path) continue;
    auto bad = load_text("", "t.ini", strings{full + "=\x01garbage"});
    ASSERT_EQ(bad.problems.size(), 1u) << full;
    EXPECT_TRUE(
        bad.problems[0].str().starts_with("--set:1: bad value \"\\x01garbage\" for " + full))
        << bad.problems[0].str();
  }
}

TEST(ConfigLoad, OverrideProblems) {
  auto r = load_text("[node]\nnope = 1\n", "t.ini",
                     strings{"node.name", "node.nme=3", "listener.tcp.default.bnd=:1",
                             "nosuch.key=1", "mqtt.max_inflight=0", "node.max_connections=1", "=x",
                             "listener.tcp.a.b.bind=:1", "noddy=1"});
  EXPECT_EQ(messages(r),
            (strings{"t.ini:2: unknown key \"nope\" in [node]",
                     "--set:1: expected SECTION.KEY=VALUE, got \"node.name\"",
                     "--set:2: unknown key \"node.nme\" (did you mean \"node.name\"?)",
                     "--set:3: unknown key \"listener.tcp.default.bnd\" (did you mean "
                     "\"listener.tcp.default.bind\"?)",
                     "--set:4: unknown key \"nosuch.key\"",
                     "--set:5: bad value \"0\" for mqtt.max_inflight: out of range; expected an "
                     "integer in 1..65535",
                     "--set:6: unknown key \"node.max_connections\" (it belongs in [limits])",
                     "--set:7: expected SECTION.KEY=VALUE, got key \"\"",
                     "--set:8: unknown key \"listener.tcp.a.b.bind\"",
                     "--set:9: expected SECTION.KEY=VALUE, got key \"noddy\""}));
  EXPECT_EQ(
      messages(load_text("", "t.ini", strings{"mqtt.max_inflght=1"})),
      strings{"--set:1: unknown key \"mqtt.max_inflght\" (did you mean \"mqtt.max_inflight\"?)"});
}

TEST(ConfigLoad, TooManyProblemsStops) {
  std::string text = "[node]\n";
  for (int i = 0; i < 1000; ++i) text += "bad line\n";
  auto r = load_text(text, "t.ini", strings{"x.y=1"});
  ASSERT_EQ(r.problems.size(), max_problems + 1);
  EXPECT_EQ(r.problems[0].str(), "t.ini:2: expected KEY = VALUE, got \"bad line\"");
  EXPECT_EQ(r.problems[max_problems - 1].line, static_cast<int>(max_problems) + 1);
  EXPECT_EQ(r.problems.back().str(), "t.ini: too many problems; stopped after 100");
}

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edgegw-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    auto p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFile, LoadsFileThenOverrides) {
  auto p = write("a.ini", "[node]\nname = file\nio_threads = 2\n[mqtt]\nnope = 1\n");
  auto r = load(p, strings{"node.io_threads=3"});
  EXPECT_EQ(messages(r), strings{p.string() + ":5: unknown key \"nope\" in [mqtt]"});
  auto ok =
      load(write("b.ini", "[node]\nname = file\nio_threads = 2\n"), strings{"node.io_threads=3"});
  ASSERT_TRUE(ok.config) << joined(ok);
  EXPECT_EQ(ok.config->get_string("node.name"), "file");
  EXPECT_EQ(ok.config->get_int("node.io_threads"), 3);
  EXPECT_EQ(ok.config->origin_of("node.name").str(), (dir_ / "b.ini").string() + ":2");
}

TEST_F(ConfigFile, UnreadableFiles) {
  auto missing = dir_ / "missing.ini";
  auto r = load(missing, {});
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].str(), missing.string() + ": cannot read: No such file or directory");
  EXPECT_FALSE(r.config);
  auto d = load(dir_, {});
  ASSERT_EQ(d.problems.size(), 1u);
  EXPECT_EQ(d.problems[0].str(), dir_.string() + ": cannot read: is a directory");
  auto big = write("big.ini", std::string(max_file_size + 1, ';'));
  auto b = load(big, {});
  ASSERT_EQ(b.problems.size(), 1u);
  EXPECT_EQ(b.problems[0].message, "file too large (more than 1048576 bytes)");
  auto at_limit = write("limit.ini", std::string(max_file_size, '\n'));
  EXPECT_TRUE(load(at_limit, {}).config);
}

TEST(ConfigRender, DefaultsRoundTrip) {
  values defaults = load_ok("");
  values again = load_ok(render_defaults());
  EXPECT_EQ(again.keys_with_prefix(""), defaults.keys_with_prefix(""));
  for (const auto& k : defaults.keys_with_prefix("")) {
    EXPECT_EQ(again.get_value(k), defaults.get_value(k)) << k;
  }
}

TEST(ConfigRender, CustomConfigRoundTrips) {
  values v = load_ok(
      "[node]\nname = \" spaced \"\n[listener.tcp.extra]\nbind = [::1]:0\nmountpoint = "
      "${clientid}/$${literal}\n[mqtt]\nmax_session_expiry = 90s\nkeepalive_multiplier = 1.25\n",
      strings{"listener.wss.second.path=/ws"});
  std::string text = v.render();
  EXPECT_NE(text.find("[listener.tcp.extra]"), std::string::npos);
  EXPECT_NE(text.find("[listener.wss.second]"), std::string::npos);
  values again = load_ok(text);
  EXPECT_EQ(again.keys_with_prefix(""), v.keys_with_prefix(""));
  for (const auto& k : v.keys_with_prefix("")) EXPECT_EQ(again.get_value(k), v.get_value(k)) << k;
  EXPECT_EQ(again.get_string("listener.tcp.extra.mountpoint"), "${clientid}/${literal}");
  EXPECT_EQ(again.get_string("node.name"), " spaced ");
}

}  // namespace
}  // namespace edgegw::config
