// See passwd_command.hpp.
#include "gateway/authn/passwd_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>

#include "gateway/authn/password_file.hpp"

namespace edgegw::authn {

namespace {

struct passwd_options {
  bool create = false;
  bool batch = false;
  bool remove = false;
  bool superuser = false;
  std::string file;
  std::string user;
  std::string password;
  bool password_given = false;
};

// One line from stdin without echo (on a terminal).
bool read_hidden(const char* prompt, std::string& out) {
  std::cerr << prompt << std::flush;
  termios old{};
  const bool tty = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  const bool ok = static_cast<bool>(std::getline(std::cin, out));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
  }
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return ok;
}

int fail(const std::string& why) {
  std::cerr << "edgegw passwd: " << why << "\n";
  return 1;
}

int run(const passwd_options& o) {
  if (o.user.empty() || o.user.find(':') != std::string::npos ||
      o.user.find('\n') != std::string::npos)
    return fail("a username must be non-empty and hold no ':' or newline");
  if (o.remove && (o.create || o.batch)) return fail("-D cannot be combined with -c or -b");
  password_file f;
  if (!o.create) {
    std::string why;
    auto loaded = load_password_file(o.file, &why);
    if (!loaded) return fail(why);
    f = std::move(*loaded);
  }
  if (o.remove) {
    if (f.users.erase(o.user) == 0) return fail("user " + o.user + " not found in " + o.file);
  } else {
    std::string pw;
    if (o.batch) {
      if (!o.password_given) return fail("-b needs the password on the command line");
      pw = o.password;
    } else if (o.password_given) {
      return fail("a password on the command line needs -b");
    } else if (::isatty(STDIN_FILENO)) {
      std::string again;
      if (!read_hidden("Password: ", pw) || !read_hidden("Reenter password: ", again))
        return fail("no password read");
      if (pw != again) return fail("passwords do not match");
    } else if (!std::getline(std::cin, pw)) {
      return fail("no password on standard input");
    }
    if (!pw.empty() && pw.back() == '\r') pw.pop_back();
    if (pw.empty()) return fail("empty passwords are not allowed");
    password_entry e;
    e.hash = make_hash(pw);
    auto old = f.users.find(o.user);
    e.superuser = o.superuser || (old != f.users.end() && old->second.superuser);
    f.users[o.user] = std::move(e);
  }
  if (auto e = save_password_file(o.file, f); !e.empty()) return fail(e);
  return 0;
}

}  // namespace

std::function<int()> add_passwd_subcommand(CLI::App& app) {
  auto o = std::make_shared<passwd_options>();
  auto* p = app.add_subcommand("passwd", "manage the password file (mosquitto_passwd format)");
  p->add_flag("-c", o->create, "create the file, overwriting an existing one");
  p->add_flag("-b", o->batch, "take the password from the command line");
  p->add_flag("-D", o->remove, "delete the user");
  p->add_flag("--superuser", o->superuser, "mark the user as superuser");
  p->add_option("file", o->file, "password file")->required();
  p->add_option("user", o->user, "username")->required();
  p->add_option("password", o->password, "password (with -b)");
  return [o, p]() -> int {
    if (!p->parsed()) return -1;
    o->password_given = p->count("password") > 0;
    try {
      return run(*o);
    } catch (const std::exception& e) {
      return fail(e.what());
    }
  };
}

}  // namespace edgegw::authn
