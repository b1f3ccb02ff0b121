// The Sans-I/O surface of the CoAP gateway: a request as the gateway logic sees it (decoded
// by libcoap in the adapter), the response it gives, the notifications it sends to
// observers, and the transport interface the adapter implements. Keeping libcoap out of
// this interface lets unit tests drive gateway_logic without sockets.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgegw::coap {

using clock = std::chrono::steady_clock;

enum class method : uint8_t { get, post, put, del, other };

// An observer is the (transport session, token) pair of its GET+Observe request.
struct observer_id {
  uint64_t transport = 0;  // the adapter's id for the client's libcoap session
  std::string token;
  bool operator==(const observer_id&) const = default;
};

struct request {
  method verb = method::get;
  bool confirmable = true;
  std::vector<std::string> path;   // Uri-Path segments
  std::vector<std::string> query;  // Uri-Query values
  std::optional<uint32_t> observe;
  std::string_view payload;  // the whole body (block-wise already reassembled)
  std::optional<uint16_t> content_format;
  std::string peer;      // "ip:port" / "[v6]:port"
  std::string listener;  // "coap" or "coap_dtls"
  observer_id observer;
};

// Response codes as class * 100 + detail: 205 = 2.05 Content; 0 = deferred (see
// transport::resume).
struct response {
  uint16_t code = 500;
  std::string payload;
  std::optional<uint16_t> content_format;
  std::optional<uint32_t> observe;  // set when an observer was registered
  std::optional<uint32_t> max_age;  // seconds; on 5.03 for a rate limit: when to retry
};

struct notification {
  std::string_view payload;
  std::optional<uint16_t> content_format;
  bool confirmable = false;
  uint32_t seq = 0;  // Observe option value
  // Non-zero on a CON notification of a QoS 1/2 delivery: the transport reports its fate
  // with gateway_logic::on_con_result(tag, ...) once known (acknowledged or lost).
  uint64_t tag = 0;
};

// Implemented by the libcoap adapter (and by fakes in unit tests).
class transport {
 public:
  virtual ~transport() = default;
  // Send one notification to an observer.
  virtual void notify(const observer_id& to, const notification& n) = 0;
  // The gateway no longer tracks this observer (deregistered, lost, session closed).
  virtual void forget(const observer_id& o) = 0;
  // Run fn on the gateway's own thread. Called from any thread (broker callbacks).
  virtual void post(std::function<void()> fn) = 0;
  // A request handle() deferred (code 0: waiting for the authentication source) can now
  // be answered: the transport gives the same request to handle() again, which then
  // answers it (as a separate response).
  virtual void resume(const observer_id& request) = 0;
};

}  // namespace edgegw::coap
