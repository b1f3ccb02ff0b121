// A long-running part of the gateway that the app starts and stops: a protocol gateway
// (MQTT-SN, CoAP, ...) or a bridge. Built from the configuration by its module's factory,
// so gateway/app only knows this interface.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace edgegw::net {

class service {
 public:
  virtual ~service() = default;
  // Bind sockets, open files, start timers. Throws std::system_error (or another
  // std::exception with a one-line reason) when it cannot start; the app then exits
  // non-zero with that reason.
  virtual void start() = 0;
  // What it listens on, as name/address pairs for the READY notification and the log,
  // e.g. {"mqttsn", "127.0.0.1:1884"}. Valid after start().
  virtual std::vector<std::pair<std::string, std::string>> endpoints() const { return {}; }
  // Begin a clean stop (SIGTERM): stop accepting, flush durable state, let sessions go.
  // Called on the main io thread before the broker shuts down; must not block long.
  virtual void stop() = 0;
};

}  // namespace edgegw::net
