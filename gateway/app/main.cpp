// edgegw: command line entry point. `edgegw [-c FILE] [--set SECTION.KEY=VALUE]...` runs
// the gateway; `--check` validates the configuration and exits; `edgegw ctl ...` talks to a
// running gateway through its HTTP API; `edgegw passwd ...` manages the password file.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "app.hpp"
#include "gateway/authn/passwd_command.hpp"
#include "gateway/config/config.hpp"
#include "gateway/http_api/ctl.hpp"

int main(int argc, char** argv) {
  CLI::App cli{
      "edgegw: edge IoT gateway (MQTT broker, MQTT-SN/CoAP/LwM2M/STOMP gateway, cloud bridge)"};
  edgegw::app::options opts;
  std::string file;
  bool version = false;
  bool print_defaults = false;
  cli.add_option("-c,--config", file, "ini file to run with (default: built-in defaults)")
      ->check(CLI::ExistingFile);
  cli.add_option("--set", opts.overrides, "override a key: SECTION.KEY=VALUE (repeatable)")
      ->take_all()
      ->allow_extra_args(false);
  cli.add_flag("--check", opts.check_only, "validate the configuration and exit");
  cli.add_flag("--version", version, "print the version and exit");
  cli.add_flag("--print-defaults", print_defaults,
               "print the built-in defaults as a commented ini file (etc/edgegw.ini) and exit");
  auto run_ctl = edgegw::ctl::add_subcommand(cli);
  auto run_passwd = edgegw::authn::add_passwd_subcommand(cli);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (int status = run_ctl(); status >= 0) return status;
  if (int status = run_passwd(); status >= 0) return status;
  if (version) {
    std::cout << "edgegw " << edgegw::app::version() << "\n";
    return 0;
  }
  if (print_defaults) {
    std::cout << edgegw::config::render_defaults();
    return 0;
  }
  if (!file.empty()) opts.config_file = file;
  return edgegw::app::run(opts);
}
