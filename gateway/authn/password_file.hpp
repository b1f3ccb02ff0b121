// The password file: one user per line, as mosquitto_passwd writes it,
//   user:$7$101$<salt>$<hash>
// optionally followed by ":superuser" (an edgegw extension: that user's client_info gets
// is_superuser). Blank lines and lines starting with '#' are skipped. A file with any bad
// line is refused as a whole, so a typo never silently locks a user out or lets one in.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/authn/password_hash.hpp"

namespace edgegw::authn {

struct password_entry {
  password_hash hash;
  bool superuser = false;
};

struct password_file {
  std::map<std::string, password_entry, std::less<>> users;
};

struct parsed_password_file {
  password_file file;
  std::vector<std::string> problems;  // "line N: why"; empty when the file is usable
};

parsed_password_file parse_password_file(std::string_view text);
std::string render_password_file(const password_file& f);

// Reads and parses `path`; on failure returns nullopt and sets *why (one line, with the
// path and the first problem).
std::optional<password_file> load_password_file(const std::filesystem::path& path,
                                                std::string* why);
// Writes atomically (a temp file in the same directory, mode 0600, then rename). "" or why not.
std::string save_password_file(const std::filesystem::path& path, const password_file& f);

}  // namespace edgegw::authn
