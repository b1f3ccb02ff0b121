// Log set-up from [log]: stderr (default), syslog (journald picks it up) or a file; one
// line per event: time, level, component, then `event key=value...`.
#pragma once
#include <string>

namespace edgegw::app {

// Returns an error text, or "" on success.
std::string setup_logging(const std::string& level, const std::string& target,
                          const std::string& file);

}  // namespace edgegw::app
