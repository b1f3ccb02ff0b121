// See password_file.hpp.
#include "gateway/authn/password_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace edgegw::authn {

namespace {
constexpr std::string_view superuser_suffix = ":superuser";
}

parsed_password_file parse_password_file(std::string_view text) {
  parsed_password_file out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    auto problem = [&](const std::string& why) {
      out.problems.push_back("line " + std::to_string(line_no) + ": " + why);
    };
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      problem("expected user:hash");
      continue;
    }
    std::string user(line.substr(0, colon));
    std::string_view rest = line.substr(colon + 1);
    password_entry e;
    if (rest.ends_with(superuser_suffix)) {
      e.superuser = true;
      rest.remove_suffix(superuser_suffix.size());
    }
    std::string why;
    auto h = parse_hash(rest, &why);
    if (!h) {
      problem("user " + user + ": " + why);
      continue;
    }
    e.hash = std::move(*h);
    if (!out.file.users.emplace(user, std::move(e)).second) problem("user " + user + " twice");
  }
  return out;
}

std::string render_password_file(const password_file& f) {
  std::string out;
  for (const auto& [user, e] : f.users) {
    out += user;
    out += ':';
    out += format_hash(e.hash);
    if (e.superuser) out += superuser_suffix;
    out += '\n';
  }
  return out;
}

std::optional<password_file> load_password_file(const std::filesystem::path& path,
                                                std::string* why) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (why) *why = path.string() + ": cannot open: " + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    if (why) *why = path.string() + ": read error";
    return std::nullopt;
  }
  auto parsed = parse_password_file(ss.str());
  if (!parsed.problems.empty()) {
    if (why) {
      *why = path.string() + ": " + parsed.problems.front();
      if (parsed.problems.size() > 1)
        *why += " (and " + std::to_string(parsed.problems.size() - 1) + " more)";
    }
    return std::nullopt;
  }
  return std::move(parsed.file);
}

std::string save_password_file(const std::filesystem::path& path, const password_file& f) {
  const std::string text = render_password_file(f);
  std::string tmp = path.string() + ".tmpXXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0)
    return "cannot create a temporary file beside " + path.string() + ": " + std::strerror(errno);
  auto fail = [&](const char* what) {
    std::string e = std::string(what) + " " + tmp + ": " + std::strerror(errno);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  if (::fchmod(fd, 0600) != 0) return fail("cannot chmod");
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot sync");
  if (::close(fd) != 0) {
    std::string e = "cannot close " + tmp + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return e;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string e = "cannot rename " + tmp + " to " + path.string() + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

}  // namespace edgegw::authn
