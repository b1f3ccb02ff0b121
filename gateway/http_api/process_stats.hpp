// This process's resident memory, CPU time and open file descriptors, read from /proc
// (Linux) for /api/v5/nodes and the Prometheus scrape.
#pragma once
#include <cstdint>

namespace edgegw::http_api {

struct process_stats {
  uint64_t rss_bytes = 0;
  double cpu_seconds = 0;  // user + system
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;           // RLIMIT_NOFILE soft limit
  double start_time_seconds = 0;  // unix time the process started
};

process_stats read_process_stats();

}  // namespace edgegw::http_api
