// `edgegw passwd`: manage the password file, as mosquitto_passwd does.
//   edgegw passwd [-c] [-b] [--superuser] FILE USER [PASSWORD]
//   edgegw passwd -D FILE USER
// -c creates (or overwrites) the file; -b takes the password from the command line, else it
// is asked twice without echo on a terminal, or read as one line from standard input.
// The file is written atomically with mode 0600.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>

namespace edgegw::authn {

// Adds the `passwd` sub-command; the returned callable runs it after parsing and returns
// the exit status, or -1 when `passwd` was not given.
std::function<int()> add_passwd_subcommand(CLI::App& app);

}  // namespace edgegw::authn
