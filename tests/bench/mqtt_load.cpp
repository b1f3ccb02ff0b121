// edgegw_bench: an MQTT 3.1.1 load generator for comparing edgegw with other brokers
// (run_bench.py drives it). One thread, so the other core stays with the broker; big buffered
// reads and writes, so the generator is not what gets measured. Scenarios: fanin, fanout,
// latency (traffic_run) and conns (idle_conns). Prints one JSON line of results; the exit
// status is 0 only if the run completed without errors.
#include <sys/resource.h>

#include <cstdio>
#include <string>

#include "gateway/api/asio.hpp"
#include "tests/bench/idle_conns.hpp"
#include "tests/bench/options.hpp"
#include "tests/bench/traffic_run.hpp"

namespace {

// Sockets are the scenario: take every file descriptor the hard limit allows.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= lim.rlim_max) return;
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto opts = edgegw::bench::parse_options(argc, argv, exit_code);
  if (!opts) return exit_code;
  raise_fd_limit();
  // Concurrency hint 1: one thread runs everything, so Asio may skip its internal locking.
  boost::asio::io_context io(1);
  bool ok = false;
  std::string result;
  if (opts->scenario == "conns") {
    edgegw::bench::idle_conns run(io, *opts);
    result = run.run(ok);
  } else {
    edgegw::bench::traffic_run run(io, *opts);
    result = run.run(ok);
  }
  std::printf("%s\n", result.c_str());
  std::fflush(stdout);
  return ok ? 0 : 1;
}
