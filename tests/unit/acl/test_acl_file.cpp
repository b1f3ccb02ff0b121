// The ACL file parser: every line type, errors with file and line, addresses.
#include <gtest/gtest.h>

#include <fstream>

#include "gateway/acl/acl_file.hpp"

using namespace edgegw::acl;

namespace {

std::shared_ptr<const rule_set> ok(std::string_view text) {
  auto r = parse(text, "acl");
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front());
  return r.rules;
}

std::vector<std::string> errors(std::string_view text) {
  auto r = parse(text, "f.acl");
  EXPECT_FALSE(r.rules);
  return r.errors;
}

}  // namespace

TEST(acl_file, every_line_type) {
  auto r =
      ok("# comment\n"
         "\n"
         "topic read public/#\n"
         "topic pub/#\n"  // no access word: readwrite
         "  # indented comment\n"
         "user alice\n"
         "topic write alice/out\n"
         "topic deny alice/secret/#\n"
         "pattern read devices/%c/in\n"  // patterns apply to everyone, wherever written
         "clientid sensor-1\n"
         "topic readwrite sensors/1/#\n"
         "address 10.0.0.0/8\n"
         "topic read plant/#\n"
         "address ::1\n"
         "topic read local/#\r\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->everyone.size(), 2u);
  EXPECT_EQ(r->everyone[0].topic, "public/#");
  EXPECT_EQ(r->everyone[0].access, may_read);
  EXPECT_EQ(r->everyone[1].topic, "pub/#");
  EXPECT_EQ(r->everyone[1].access, may_readwrite);
  ASSERT_EQ(r->users.count("alice"), 1u);
  const auto& alice = r->users.at("alice");
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].access, may_write);
  EXPECT_TRUE(alice[1].deny);
  EXPECT_EQ(alice[1].line, 8u);
  ASSERT_EQ(r->patterns.size(), 1u);
  EXPECT_TRUE(r->patterns[0].pattern);
  EXPECT_EQ(r->patterns[0].topic, "devices/%c/in");
  ASSERT_EQ(r->client_ids.count("sensor-1"), 1u);
  ASSERT_EQ(r->addresses.size(), 2u);
  EXPECT_EQ(r->addresses[1].second.at(0).topic, "local/#");  // CR stripped
  EXPECT_EQ(r->rule_count, 8u);
}

TEST(acl_file, topics_keep_spaces_and_names_take_the_rest_of_the_line) {
  auto r = ok("user Jane Doe\ntopic read my  topic/+\n");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->users.count("Jane Doe"), 1u);
  EXPECT_EQ(r->users.at("Jane Doe").at(0).topic, "my  topic/+");
}

TEST(acl_file, repeated_blocks_add_up) {
  auto r = ok("user a\ntopic x\nuser b\ntopic y\nuser a\ntopic z\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->users.at("a").size(), 2u);
}

TEST(acl_file, empty_file_is_valid) {
  auto r = ok("");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->rule_count, 0u);
}

TEST(acl_file, errors_name_file_and_line) {
  auto e = errors(
      "topic read ok\n"
      "topic\n"
      "topic readonly x/y\n"
      "topic read a/#/b\n"
      "user\n"
      "address 300.1.1.1\n"
      "address 10.0.0.0/33\n"
      "group admins\n"
      "pattern read x+/%c\n"
      "clientid\n");
  ASSERT_EQ(e.size(), 9u);
  EXPECT_EQ(e[0], "f.acl:2: topic needs a topic filter");
  EXPECT_EQ(e[1], "f.acl:3: unknown access 'readonly' (read, write, readwrite or deny)");
  EXPECT_EQ(e[2], "f.acl:4: invalid topic filter 'a/#/b'");
  EXPECT_EQ(e[3], "f.acl:5: user needs a name");
  EXPECT_NE(e[4].find("f.acl:6: invalid address '300.1.1.1'"), std::string::npos);
  EXPECT_NE(e[5].find("f.acl:7: invalid address"), std::string::npos);
  EXPECT_NE(e[6].find("f.acl:8: unknown keyword 'group'"), std::string::npos);
  EXPECT_EQ(e[7], "f.acl:9: invalid topic filter 'x+/%c'");
  EXPECT_EQ(e[8], "f.acl:10: clientid needs a name");
}

TEST(acl_file, error_list_is_bounded) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "bogus\n";
  EXPECT_EQ(errors(text).size(), max_errors);
}

TEST(acl_file, load_reports_unreadable_file) {
  auto r = load("/nonexistent/edgegw.acl");
  EXPECT_FALSE(r.rules);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("/nonexistent/edgegw.acl: cannot read"), std::string::npos);
}

TEST(acl_file, load_reads_a_file) {
  auto path = std::filesystem::temp_directory_path() / "edgegw_test_acl_load.acl";
  {
    std::ofstream f(path);
    f << "topic read a\nnonsense\n";
  }
  auto r = load(path);
  std::filesystem::remove(path);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], path.string() +
                             ":2: unknown keyword 'nonsense' (topic, pattern, user, "
                             "clientid or address)");
}

TEST(ip_net, v4_v6_and_mapped) {
  auto n = parse_ip_net("10.1.0.0/16");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->contains(*peer_ip("10.1.2.3:1883")));
  EXPECT_FALSE(n->contains(*peer_ip("10.2.0.1:1883")));
  EXPECT_TRUE(n->contains(*peer_ip("[::ffff:10.1.9.9]:5683")));  // v4 seen on a v6 socket
  auto host = parse_ip_net("192.0.2.7");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains(*peer_ip("192.0.2.7:1")));
  EXPECT_FALSE(host->contains(*peer_ip("192.0.2.8:1")));
  auto v6 = parse_ip_net("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*peer_ip("[fd12::1]:1")));
  EXPECT_FALSE(v6->contains(*peer_ip("[fe80::1]:1")));
  EXPECT_TRUE(parse_ip_net("0.0.0.0/0")->contains(*peer_ip("203.0.113.1:9")));
  EXPECT_FALSE(parse_ip_net("0.0.0.0/0")->contains(*peer_ip("[2001:db8::1]:9")));
  EXPECT_FALSE(parse_ip_net("10.0.0.0/"));
  EXPECT_FALSE(parse_ip_net("10.0.0.0/x"));
  EXPECT_FALSE(parse_ip_net("::1/129"));
  EXPECT_FALSE(parse_ip_net("host.example"));
  EXPECT_FALSE(parse_ip_net(""));
}

TEST(ip_net, peers_and_loopback) {
  EXPECT_TRUE(is_loopback(*peer_ip("127.0.0.1:5000")));
  EXPECT_TRUE(is_loopback(*peer_ip("127.0.0.2:5000")));
  EXPECT_TRUE(is_loopback(*peer_ip("[::1]:5000")));
  EXPECT_TRUE(is_loopback(*peer_ip("[::ffff:127.0.0.1]:5000")));
  EXPECT_TRUE(is_loopback(*peer_ip("127.0.0.1:1884/node=0a0b")));  // MQTT-SN forwarder
  EXPECT_FALSE(is_loopback(*peer_ip("10.0.0.1:5000")));
  EXPECT_FALSE(is_loopback(*peer_ip("[fe80::1]:5000")));
  EXPECT_FALSE(peer_ip(""));
  EXPECT_FALSE(peer_ip("?"));
  EXPECT_FALSE(peer_ip("mqtt://upstream:1883"));
}
