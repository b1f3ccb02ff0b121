// See process_stats.hpp. /proc/self/stat fields after the command name (which may hold
// spaces, so we skip to the last ')'): utime is field 14, stime 15, starttime 22, rss 24.
#include "gateway/http_api/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace edgegw::http_api {

namespace {
double boot_time_seconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  double v = 0;
  while (in >> key) {
    if (key == "btime") {
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}
}  // namespace

process_stats read_process_stats() {
  process_stats ps;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  std::ifstream in("/proc/self/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (auto close = all.rfind(')'); close != std::string::npos) {
    std::istringstream rest(all.substr(close + 2));
    std::string f;
    // rest starts at field 3 (state).
    for (int field = 3; rest >> f; ++field) {
      if (field == 14 || field == 15) ps.cpu_seconds += std::stod(f) / ticks;
      if (field == 22) ps.start_time_seconds = boot_time_seconds() + std::stod(f) / ticks;
      if (field == 24) {
        ps.rss_bytes = std::stoull(f) * page;
        break;
      }
    }
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++ps.open_fds;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) ps.max_fds = rl.rlim_cur;
  return ps;
}

}  // namespace edgegw::http_api
