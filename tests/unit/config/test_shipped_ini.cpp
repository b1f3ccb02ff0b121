// etc/edgegw.ini as shipped: it loads without problems, holds every schema key at exactly
// its built-in default, and documents each key with a comment right above it.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "gateway/config/detail/builder.hpp"
#include "gateway/config/detail/value_parser.hpp"
#include "test_helpers.hpp"

namespace edgegw::config {
namespace {

const std::filesystem::path shipped = std::filesystem::path(EDGEGW_SOURCE_DIR) / "etc/edgegw.ini";

TEST(ConfigShipped, EqualsBuiltInDefaults) {
  auto file = load(shipped, {});
  ASSERT_TRUE(file.config) << test::joined(file);
  auto defaults = load(std::nullopt, {});
  ASSERT_TRUE(defaults.config) << test::joined(defaults);
  EXPECT_EQ(file.config->keys_with_prefix(""), defaults.config->keys_with_prefix(""));
  for (const auto& key : defaults.config->keys_with_prefix("")) {
    EXPECT_EQ(file.config->get_value(key), defaults.config->get_value(key)) << key;
  }
  for (const auto& s : sections()) {
    if (!s.pattern.ends_with(".*")) continue;
    std::string base(s.pattern.substr(0, s.pattern.size() - 2));
    EXPECT_EQ(file.config->instances(base), defaults.config->instances(base)) << base;
  }
}

TEST(ConfigShipped, EveryKeyPresentWithACommentAbove) {
  std::ifstream in(shipped);
  ASSERT_TRUE(in) << shipped;
  // section -> key -> whether the line above is a comment
  std::map<std::string, std::map<std::string, bool>> found;
  std::vector<std::string> comments;  // every comment line, for dynamic keys
  std::string section;
  std::string previous;
  for (std::string raw; std::getline(in, raw);) {
    std::string line(detail::trim(raw));
    if (line.starts_with(';') || line.starts_with('#')) {
      comments.push_back(line);
    } else if (line.starts_with('[')) {
      section = line.substr(1, line.find(']') - 1);
    } else if (auto eq = line.find('='); eq != std::string::npos) {
      std::string key(detail::trim(std::string_view(line).substr(0, eq)));
      found[section][key] = previous.starts_with(';') || previous.starts_with('#');
    }
    previous = line;
  }
  for (const auto& k : keys()) {
    std::string sec(k.section);
    if (sec.ends_with(".*")) {
      const section_spec* s = find_section(std::string(sec.substr(0, sec.size() - 1)) + "x");
      ASSERT_NE(s, nullptr) << sec;
      if (s->default_instance.empty()) {
        // No instance by default ([bridge.NAME]): the section is a commented example.
        std::string example = "; " + std::string(k.key) + " =";
        bool shown = false;
        for (const auto& c : comments) shown = shown || c.starts_with(example);
        EXPECT_TRUE(shown) << sec << " " << k.key << ": no commented example";
        continue;
      }
      sec.replace(sec.size() - 1, 1, s->default_instance);
    }
    if (k.dynamic()) {
      // Shown as a documented example, e.g. "; predefined.ID = ...".
      std::string prefix(k.key.substr(0, k.key.find('*')));
      bool documented = false;
      for (const auto& c : comments) documented = documented || c.find(prefix) != std::string::npos;
      EXPECT_TRUE(documented) << sec << " " << k.key;
      continue;
    }
    auto s = found.find(sec);
    ASSERT_NE(s, found.end()) << "no section [" << sec << "]";
    auto key = s->second.find(std::string(k.key));
    ASSERT_NE(key, s->second.end()) << "[" << sec << "] lacks " << k.key;
    EXPECT_TRUE(key->second) << "[" << sec << "] " << k.key << " has no comment above it";
  }
}

TEST(ConfigShipped, SchemaDefaultsAreValidAndDocumented) {
  for (const auto& k : keys()) {
    EXPECT_FALSE(k.doc.empty()) << k.section << "." << k.key;
    bool declared = false;
    for (const auto& sec : sections()) declared = declared || sec.pattern == k.section;
    EXPECT_TRUE(declared) << "key in an undeclared section: " << k.section;
    if (!k.dynamic()) {
      EXPECT_NO_THROW(detail::default_value(k)) << k.section << "." << k.key;
    }
  }
}

}  // namespace
}  // namespace edgegw::config
