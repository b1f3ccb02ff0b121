// See logging.hpp.
#include "logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

namespace edgegw::app {

std::string setup_logging(const std::string& level, const std::string& target,
                          const std::string& file) {
  spdlog::sink_ptr sink;
  try {
    if (target == "syslog") {
      sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("edgegw", LOG_PID, LOG_DAEMON, true);
    } else if (target == "file") {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
    } else {
      sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    }
  } catch (const spdlog::spdlog_ex& e) {
    return std::string("cannot open log target: ") + e.what();
  }
  // syslog adds its own time stamp and level.
  sink->set_pattern(target == "syslog" ? "%l %n %v" : "%Y-%m-%dT%H:%M:%S.%e %l %n %v");
  auto lvl = spdlog::level::from_str(level == "warning" ? "warn" : level);
  auto logger = std::make_shared<spdlog::logger>("edgegw", sink);
  logger->set_level(lvl);
  spdlog::drop_all();
  spdlog::set_default_logger(logger);
  spdlog::set_level(lvl);
  return {};
}

}  // namespace edgegw::app
