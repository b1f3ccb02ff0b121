// The CoAP gateway (SPEC section 6, EMQX-compatible) as a Sans-I/O state machine on the
// broker API: requests in, responses and notifications out, time injected.
//
// Every CoAP client is one broker session: named by its clientid query parameter, or by
// its address without one. Observers (GET+Observe on /ps/{filter}) are the session's
// subscriptions; each MQTT message the session receives becomes one notification per
// matching observer. Connection mode (POST /mqtt/connection) adds a token and a heartbeat;
// connectionless sessions end after idle_timeout without requests and observers.
//
// A QoS 1/2 delivery sent as CON notifications is acknowledged to the broker only once
// the transport reports every one of them acknowledged by the client (on_con_result); a
// lost one (RST or retransmissions exhausted, also reported through on_nack) removes its
// observer and the subscription and leaves the delivery unacknowledged in the session.
//
// Owner: one thread (the CoAP io thread). Broker callbacks only post() onto it.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/api/broker.hpp"
#include "gateway/net/token_bucket.hpp"
#include "protocols/coap/gateway/exchange.hpp"
#include "protocols/coap/gateway/settings.hpp"
#include "protocols/coap/mapping/uri_mapping.hpp"

namespace edgegw::coap {

struct gateway_counters {
  std::atomic<uint64_t> clients{0};  // sessions now (a gauge, for the management API)
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> bad_requests{0};  // 4.00 / 4.13 / 4.04 / 4.05
  std::atomic<uint64_t> unauthorized{0};  // 4.01
  std::atomic<uint64_t> forbidden{0};     // 4.03
  std::atomic<uint64_t> over_limit{0};    // 5.03 at a client, observer or rate limit
  std::atomic<uint64_t> published{0};
  std::atomic<uint64_t> notifications{0};   // sent (CON of QoS 1/2: once acknowledged)
  std::atomic<uint64_t> observers_lost{0};  // removed after RST / retransmit timeout
  std::atomic<uint64_t> deferred{0};        // answered later, after an async authentication
};

class gateway_logic {
 public:
  gateway_logic(broker& b, gateway_settings s, transport& t);
  ~gateway_logic();
  gateway_logic(const gateway_logic&) = delete;
  gateway_logic& operator=(const gateway_logic&) = delete;

  // An answer with code 0 is deferred: the authentication source (an HTTP hook) answers
  // later, then transport::resume(req.observer) and handle() again with the same request.
  response handle(const request& req, clock::time_point now);
  // A CON notification to `o` got an RST or was never acknowledged.
  void on_nack(const observer_id& o);
  // The fate of a CON notification sent with notification::tag.
  void on_con_result(uint64_t tag, bool acknowledged);
  // The transport session is gone: its observers go with it.
  void on_transport_gone(uint64_t transport);
  // Ends idle and heartbeat-expired sessions; call about once a second.
  void tick(clock::time_point now);
  // Closes every session (SIGTERM).
  void shutdown();

  std::size_t clients() const { return clients_.size(); }
  std::size_t observers() const { return observer_count_; }
  std::size_t pending_authentications() const { return authenticating_; }
  std::size_t unconfirmed() const { return unconfirmed_.size(); }
  const gateway_counters& counters() const { return counters_; }
  // Client ids with a session, for tests and logs.
  std::vector<std::string> client_ids() const;

 private:
  class sink;
  struct observer {
    observer_id id;
    uint32_t seq = 2;
    uint32_t non_in_row = 0;
  };
  struct client {
    std::string key;
    client_info info;
    session_ptr sess;
    std::shared_ptr<sink> snk;
    std::optional<std::string> username, password;
    std::string token;  // connection mode; empty when connectionless
    clock::time_point last_seen;
    std::map<std::string, observer, std::less<>> observers;  // by filter
  };
  struct resolved {
    client* c = nullptr;
    uint16_t error = 0;    // 0 without a client: deferred (see handle)
    uint32_t max_age = 0;  // with 5.03 at max_conn_rate: seconds until the next may go
  };
  response refuse(const resolved& r);

  response on_connection(const request& req, const request_params& p, clock::time_point now);
  resolved resolve(const request& req, const request_params& p, clock::time_point now);
  resolved open_client(const request& req, const std::string& key, const request_params& p,
                       bool connection_mode, clock::time_point now);
  response publish(client& c, const request& req, const request_params& p, const std::string& t);
  response observe(client& c, const request& req, const request_params& p, const std::string& f);
  response unobserve(client& c, const std::string& filter);
  response read_retained(client& c, const std::string& topic);
  void deliver(const std::string& key, const sink* s);
  void on_session_closed(const std::string& key, const sink* s, close_reason reason);
  void remove_observer(client& c, const std::string& filter, bool unsubscribe);
  void drop_client(const std::string& key, close_reason reason, bool close_session);
  response fail(uint16_t code, std::string why = {});

  broker& broker_;
  gateway_settings settings_;
  transport& transport_;
  std::shared_ptr<gateway_logic*> self_;  // posted callbacks check it is still alive
  std::map<std::string, std::unique_ptr<client>, std::less<>> clients_;
  std::size_t observer_count_ = 0;
  uint64_t token_counter_ = 0;
  gateway_counters counters_;
  std::vector<delivery> batch_;
  // Authentication answers that arrived for deferred requests, by (transport, token);
  // taken by the handle() of the resumed request.
  std::map<std::pair<uint64_t, std::string>, result<client_info>> auth_answers_;
  std::size_t authenticating_ = 0;  // asked, not yet answered
  net::token_bucket conn_rate_;     // max_conn_rate: sessions opened per second
  // QoS 1/2 deliveries sent as CON notifications, waiting for the client's ACKs, by tag.
  struct unconfirmed_delivery {
    std::string key;
    const sink* snk = nullptr;
    uint16_t id = 0;
    uint8_t qos = 0;
    uint32_t remaining = 0;  // CON notifications not yet acknowledged or lost
    bool lost = false;
    std::size_t bytes = 0;
  };
  std::map<uint64_t, unconfirmed_delivery> unconfirmed_;
  uint64_t next_tag_ = 1;
};

}  // namespace edgegw::coap
