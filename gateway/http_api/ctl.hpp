// `edgegw ctl`: a command-line client of the management API (gateway/http_api), for
// operators on the box: status, clients, kick, subscriptions, publish, bridges, banned.
// Tables by default, the API's JSON with --json.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>

namespace edgegw::ctl {

// Adds the `ctl` sub-command to `app`; the returned callable runs the chosen command
// (after parsing) and returns the exit status.
std::function<int()> add_subcommand(CLI::App& app);

}  // namespace edgegw::ctl
