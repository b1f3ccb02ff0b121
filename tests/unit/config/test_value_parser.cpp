// The value parsers: every type, its edge cases, and that formatting round-trips.
#include <gtest/gtest.h>

#include <limits>

#include "gateway/config/detail/suggest.hpp"
#include "gateway/config/detail/value_parser.hpp"

namespace edgegw::config::detail {
namespace {

using std::chrono::milliseconds;
using namespace std::chrono_literals;

TEST(ConfigParse, Bool) {
  for (auto t : {"true", "on", "yes", "TRUE", "Yes", "oN"}) EXPECT_EQ(parse_bool(t), true) << t;
  for (auto f : {"false", "off", "no", "False", "NO"}) EXPECT_EQ(parse_bool(f), false) << f;
  for (auto bad : {"", "1", "0", "truee", "y", "enabled", " true"}) {
    EXPECT_FALSE(parse_bool(bad).has_value()) << bad;
  }
}

TEST(ConfigParse, Int) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("-5"), -5);
  EXPECT_EQ(parse_int("+7"), 7);
  EXPECT_EQ(parse_int("9223372036854775807"), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(parse_int("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  for (auto bad : {"", "-", "+", "+-1", "9223372036854775808", "1.5", " 1", "1 ", "0x10", "1e3",
                   "12abc", "--1"}) {
    EXPECT_FALSE(parse_int(bad).has_value()) << bad;
  }
}

TEST(ConfigParse, Number) {
  EXPECT_EQ(parse_number("1.5"), 1.5);
  EXPECT_EQ(parse_number("10"), 10.0);
  EXPECT_EQ(parse_number("+2.25"), 2.25);
  EXPECT_EQ(parse_number("1e1"), 10.0);
  for (auto bad : {"", "inf", "nan", "infinity", ".", "1..2", "1.5x", "1e999", "+-1", "1,5"}) {
    EXPECT_FALSE(parse_number(bad).has_value()) << bad;
  }
}

TEST(ConfigParse, Duration) {
  struct ok_case {
    const char* text;
    milliseconds unit;
    milliseconds want;
  };
  for (auto c : {ok_case{"15s", 1s, 15s}, ok_case{"15000ms", 1s, 15s}, ok_case{"1m", 1s, 60s},
                 ok_case{"2h", 1s, 7200s}, ok_case{"15", 1s, 15s}, ok_case{"15", 1ms, 15ms},
                 ok_case{"0", 1s, 0ms}, ok_case{"15 s", 1s, 15s}, ok_case{"15S", 1s, 15s},
                 ok_case{"50MS", 1s, 50ms}, ok_case{"2562047788015h", 1s, 2562047788015h}}) {
    auto r = parse_duration(c.text, c.unit, false);
    EXPECT_EQ(r.error, number_error::none) << c.text;
    EXPECT_EQ(r.value, c.want) << c.text;
  }
  EXPECT_EQ(parse_duration("infinity", 1s, true).value, milliseconds::max());
  EXPECT_EQ(parse_duration("Infinity", 1s, true).value, milliseconds::max());
  EXPECT_EQ(parse_duration("infinity", 1s, false).error, number_error::syntax);
  EXPECT_EQ(parse_duration("-1s", 1s, false).error, number_error::negative);
  for (auto bad : {"", "s", "1.5s", "15x", "15 sec", "1m30s", "ms15", "+1s"}) {
    EXPECT_EQ(parse_duration(bad, 1s, true).error, number_error::syntax) << bad;
  }
  for (auto big : {"2562047788016h", "9223372036854775807s", "99999999999999999999999",
                   "18446744073709551616ms", "9223372036854775807"}) {
    EXPECT_EQ(parse_duration(big, 1s, false).error, number_error::overflow) << big;
  }
  // The largest millisecond count means infinity, so it is not a finite duration.
  EXPECT_EQ(parse_duration("9223372036854775807ms", 1s, false).error, number_error::overflow);
  EXPECT_EQ(parse_duration("9223372036854775806ms", 1s, false).error, number_error::none);
}

TEST(ConfigParse, Size) {
  EXPECT_EQ(parse_size("1MB").value, 1048576u);
  EXPECT_EQ(parse_size("1024KB").value, 1048576u);
  EXPECT_EQ(parse_size("1048576").value, 1048576u);
  EXPECT_EQ(parse_size("1048576B").value, 1048576u);
  EXPECT_EQ(parse_size("1mb").value, 1048576u);
  EXPECT_EQ(parse_size("1 MB").value, 1048576u);
  EXPECT_EQ(parse_size("3GB").value, 3ull << 30);
  EXPECT_EQ(parse_size("0").value, 0u);
  EXPECT_EQ(parse_size("17179869183GB").error, number_error::none);
  EXPECT_EQ(parse_size("-1").error, number_error::negative);
  EXPECT_EQ(parse_size("-1MB").error, number_error::negative);
  EXPECT_EQ(parse_size("17179869184GB").error, number_error::overflow);
  EXPECT_EQ(parse_size("18446744073709551616").error, number_error::overflow);
  EXPECT_EQ(parse_size("18446744073709551615").value, std::numeric_limits<std::uint64_t>::max());
  for (auto bad : {"", "MB", "1TB", "1.5MB", "1 M B", "1MiB", "0x10"}) {
    EXPECT_EQ(parse_size(bad).error, number_error::syntax) << bad;
  }
}

TEST(ConfigParse, Endpoint) {
  auto ok = [](std::string_view text, std::string host, uint16_t port) {
    auto r = parse_endpoint(text);
    EXPECT_EQ(r.error, "") << text;
    EXPECT_EQ(r.value, (endpoint{host, port})) << text;
  };
  ok("0.0.0.0:1883", "0.0.0.0", 1883);
  ok("127.0.0.1:65535", "127.0.0.1", 65535);
  ok(":1883", "", 1883);
  ok("localhost:0", "localhost", 0);
  ok("broker-1.example.com:8883", "broker-1.example.com", 8883);
  ok("[::1]:1883", "::1", 1883);
  ok("[::]:0", "::", 0);
  ok("[fe80::1%eth0]:1883", "fe80::1%eth0", 1883);
  ok("[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1", 80);
  for (auto bad :
       {"",         "1883",        "localhost", "127.0.0.1:65536", "127.0.0.1:99999999999999999999",
        "::1:1883", "[::1]",       "[::1",      "[::1]1883",       "[zz::1]:1",
        "[::1%]:1", "1.2.3.256:1", "1.2.3:1",   "a..b:1",          "a.:1",
        "host:",    "host:-1",     "host:+1",   "host:1 ",         "ho st:1",
        "h\x01:1",  "[1.2.3.4]:1"}) {
    EXPECT_NE(parse_endpoint(bad).error, "") << bad;
  }
}

TEST(ConfigParse, Formatting) {
  EXPECT_EQ(format_duration(0ms), "0s");
  EXPECT_EQ(format_duration(50ms), "50ms");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(15s), "15s");
  EXPECT_EQ(format_duration(300s), "5m");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(milliseconds::max()), "infinity");
  EXPECT_EQ(format_size(0), "0");
  EXPECT_EQ(format_size(16), "16");
  EXPECT_EQ(format_size(1536), "1536");
  EXPECT_EQ(format_size(2048), "2KB");
  EXPECT_EQ(format_size(1048576), "1MB");
  EXPECT_EQ(format_size(3ull << 30), "3GB");
  EXPECT_EQ(format_endpoint({"", 1883}), ":1883");
  EXPECT_EQ(format_endpoint({"::1", 1883}), "[::1]:1883");
  EXPECT_EQ(format_endpoint({"10.0.0.1", 0}), "10.0.0.1:0");
}

// A key spec for parse_value tests.
key_spec spec(value_type t) {
  key_spec k;
  k.section = "s";
  k.key = "k";
  k.type = t;
  return k;
}

TEST(ConfigParse, ValueRangesAndQuotes) {
  key_spec i = spec(value_type::integer);
  i.min = 1;
  i.max = 10;
  EXPECT_EQ(std::get<std::int64_t>(*parse_value(i, "10").parsed), 10);
  EXPECT_EQ(std::get<std::int64_t>(*parse_value(i, "\"3\"").parsed), 3);
  EXPECT_NE(parse_value(i, "0").error.find("out of range"), std::string::npos);
  EXPECT_NE(parse_value(i, "11").error.find("expected an integer in 1..10"), std::string::npos);
  EXPECT_NE(parse_value(i, "\"3").error.find("unterminated quote"), std::string::npos);
  EXPECT_NE(parse_value(i, "\"").error.find("unterminated quote"), std::string::npos);

  key_spec n = spec(value_type::number);
  n.min_number = 1.0;
  n.max_number = 10.0;
  EXPECT_EQ(std::get<double>(*parse_value(n, "1.5").parsed), 1.5);
  EXPECT_FALSE(parse_value(n, "0.99").parsed);
  EXPECT_FALSE(parse_value(n, "10.01").parsed);

  key_spec d = spec(value_type::duration);
  d.min = 1000;
  d.max = 60000;
  EXPECT_EQ(std::get<milliseconds>(*parse_value(d, "1m").parsed), 1min);
  EXPECT_FALSE(parse_value(d, "999ms").parsed);
  EXPECT_FALSE(parse_value(d, "infinity").parsed);
  EXPECT_NE(parse_value(d, "61s").error.find("out of range"), std::string::npos);
  EXPECT_NE(parse_value(d, "-1s").error.find("negative"), std::string::npos);
  EXPECT_NE(parse_value(d, "999999999999999h").error.find("too large"), std::string::npos);
  d.infinity = true;
  EXPECT_EQ(std::get<milliseconds>(*parse_value(d, "infinity").parsed), milliseconds::max());

  key_spec s = spec(value_type::size);
  s.min = 16;
  s.max = 256 << 20;
  EXPECT_EQ(std::get<std::uint64_t>(*parse_value(s, "256MB").parsed), 256u << 20);
  EXPECT_FALSE(parse_value(s, "257MB").parsed);
  EXPECT_FALSE(parse_value(s, "15").parsed);
  EXPECT_NE(parse_value(s, "-16").error.find("must not be negative"), std::string::npos);
  EXPECT_NE(parse_value(s, "99999999999999999999GB").error.find("too large"), std::string::npos);

  key_spec e = spec(value_type::enumeration);
  e.choices = "none|peer";
  EXPECT_EQ(std::get<std::string>(*parse_value(e, "peer").parsed), "peer");
  EXPECT_EQ(std::get<std::string>(*parse_value(e, "none").parsed), "none");
  EXPECT_NE(parse_value(e, "Peer").error.find("one of: none, peer"), std::string::npos);
  EXPECT_FALSE(parse_value(e, "").parsed);
  EXPECT_FALSE(parse_value(e, "none|peer").parsed);

  key_spec l = spec(value_type::list);
  EXPECT_EQ(std::get<std::vector<std::string>>(*parse_value(l, "a/#, b/+ ,c").parsed),
            (std::vector<std::string>{"a/#", "b/+", "c"}));
  EXPECT_TRUE(std::get<std::vector<std::string>>(*parse_value(l, "").parsed).empty());
  EXPECT_TRUE(std::get<std::vector<std::string>>(*parse_value(l, "\"\"").parsed).empty());
  EXPECT_NE(parse_value(l, "a,,b").error.find("empty list item"), std::string::npos);
  EXPECT_FALSE(parse_value(l, "a,").parsed);
  EXPECT_FALSE(parse_value(l, ",").parsed);

  key_spec t = spec(value_type::string);
  EXPECT_EQ(std::get<std::string>(*parse_value(t, "\" padded \"").parsed), " padded ");
  EXPECT_EQ(std::get<std::string>(*parse_value(t, "\"\"").parsed), "");
  EXPECT_EQ(std::get<std::string>(*parse_value(t, "a \"b\"").parsed), "a \"b\"");
  t.min = 1;
  EXPECT_FALSE(parse_value(t, "").parsed);
  EXPECT_FALSE(parse_value(t, "\"\"").parsed);
  t.check = [](std::string_view v) {
    return v.starts_with('/') ? std::string_view{} : std::string_view{"must start with '/'"};
  };
  EXPECT_EQ(parse_value(t, "mqtt").error, "must start with '/'");
  EXPECT_TRUE(parse_value(t, "/mqtt").parsed);

  key_spec b = spec(value_type::boolean);
  EXPECT_NE(parse_value(b, "2").error.find("true or false"), std::string::npos);
}

TEST(ConfigParse, FormatValueRoundTrips) {
  key_spec t = spec(value_type::string);
  for (std::string v : {"plain", " lead", "trail ", "\"quoted\"", "", "a${b}c", "$${x}"}) {
    std::string text = format_value(t, value{v});
    auto back = parse_value(t, text);
    ASSERT_TRUE(back.parsed) << text;
    // ${ is escaped as $${ (substitution, run later by the loader, turns it back).
    std::string unescaped = std::get<std::string>(*back.parsed);
    for (auto pos = unescaped.find("$${"); pos != std::string::npos;
         pos = unescaped.find("$${", pos + 2)) {
      unescaped.erase(pos, 1);
    }
    EXPECT_EQ(unescaped, v) << text;
  }
  key_spec m = spec(value_type::string);
  m.runtime_template = true;
  EXPECT_EQ(format_value(m, value{std::string("${clientid}/${node}")}), "${clientid}/$${node}");
}

TEST(ConfigParse, Printable) {
  EXPECT_EQ(printable("a\x01\"\\b"), "a\\x01\\x22\\x5cb");
  EXPECT_EQ(printable(std::string(70, 'x')), std::string(60, 'x') + "...");
}

TEST(ConfigSuggest, Closest) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  std::vector<std::string> keys{"max_inflight", "max_packet_size", "bind", "enable"};
  EXPECT_EQ(closest("max_inflght", keys), "max_inflight");
  EXPECT_EQ(closest("maxinflight", keys), "max_inflight");
  EXPECT_EQ(closest("bnd", keys), "bind");
  EXPECT_EQ(closest("Enable", keys), "enable");
  EXPECT_EQ(closest("completely_different", keys), "");
  EXPECT_EQ(closest("", keys), "");
  EXPECT_EQ(closest(std::string(200, 'a'), keys), "");
}

}  // namespace
}  // namespace edgegw::config::detail
