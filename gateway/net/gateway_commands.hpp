// The command hook of a protocol gateway for the management API: a net::service that also
// derives from gateway_commands takes commands for one of its clients from
// /api/v5/gateways/{name}/clients/{clientid}/... (the LwM2M gateway: read, write, observe,
// lookup, as EMQX offers them). The API finds it with a dynamic_cast, as status_source.
// Threading: both calls come from the API's thread while the service runs. They must be
// thread-safe and must not block: a command is validated and its client looked up right
// away, then handed to the gateway's own executor, where it takes the same path as a
// command that arrived over MQTT (its answer goes where those answers go).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace edgegw::net {

enum class command_status { accepted, unknown_client, invalid };

struct command_outcome {
  command_status status = command_status::accepted;
  std::string reason;  // for invalid: why, one line
};

class gateway_commands {
 public:
  virtual ~gateway_commands() = default;
  // The gateway these commands go to: "lwm2m", as in the API path.
  virtual std::string_view commands_gateway() const = 0;
  // Send `command_json` (the gateway's own downlink command format, e.g. LwM2M's
  // {"msgType":"read","data":{"path":"/3/0/0"}}) to `client_id`.
  virtual command_outcome send_command(std::string_view client_id,
                                       std::string_view command_json) = 0;
  // The last answer `client_id` gave to an `action` on `path` (the gateway's answer JSON);
  // nullopt with *known = false for an unknown client, nullopt alone when none came yet.
  virtual std::optional<std::string> last_answer(std::string_view client_id,
                                                 std::string_view action, std::string_view path,
                                                 bool* known) const = 0;
};

}  // namespace edgegw::net
