// The libcoap side of the CoAP gateway: resources for /ps, /mqtt/... (libcoap's unknown
// resource, since topics are arbitrary) and /mqtt/connection; turns requests into
// coap::request for gateway_logic, its responses into PDUs, and sends its notifications
// (Observe, Block2 through libcoap for large payloads). Observers hold a reference on their
// libcoap session and a copy of their GET, released by forget().
//
// Owner: the stack's io_context thread; only post() is called from other threads.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <optional>

#include "gateway/net/service.hpp"
#include "gateway/net/status_source.hpp"
#include "protocols/coap/gateway/block1_assembly.hpp"
#include "protocols/coap/gateway/gateway_logic.hpp"
#include "protocols/coap/stack/coap_stack.hpp"

namespace edgegw::coap {

class coap_adapter final : public net::service, public net::status_source, public transport {
 public:
  coap_adapter(broker& b, boost::asio::io_context& io, gateway_settings g, stack_settings s,
               block1_limits bl);
  ~coap_adapter() override;

  void start() override;
  std::vector<std::pair<std::string, std::string>> endpoints() const override {
    return stack_.endpoints();
  }
  void stop() override;
  // net::status_source (any thread): GET /api/v5/gateways/coap, edgegw_gateway_*.
  net::service_status status() const override;

  // transport
  void notify(const observer_id& to, const notification& n) override;
  void forget(const observer_id& o) override;
  void post(std::function<void()> fn) override;
  void resume(const observer_id& request) override;

 private:
  struct observer_entry {
    coap_session_t* session = nullptr;  // referenced
    coap_pdu_t* request = nullptr;      // copy of the GET+Observe, for Block2 notifications
  };
  static void on_request(coap_resource_t* r, coap_session_t* s, const coap_pdu_t* req,
                         const coap_string_t* query, coap_pdu_t* resp);
  static void on_nack(coap_session_t* s, const coap_pdu_t* sent, coap_nack_reason_t reason,
                      coap_mid_t mid);
  void handle(coap_resource_t* r, coap_session_t* s, const coap_pdu_t* req,
              const coap_string_t* query, coap_pdu_t* resp);
  uint64_t id_of(coap_session_t* s);
  // One Block1 block: true with the whole body in `body`; false when `resp` is the answer
  // (2.31 Continue, or an error).
  bool upload_block(coap_session_t* s, const coap_pdu_t* req, const request& rq,
                    const std::string& request_tag, const coap_block_b_t& b1, coap_pdu_t* resp,
                    std::string& body);
  void schedule_tick();
  // CON notifications of QoS 1/2 deliveries: which the client acknowledged (see notify).
  void report_later(uint64_t tag, bool acknowledged);
  void send_barriers();
  void on_barrier(uint64_t tid, coap_mid_t ping, coap_nack_reason_t reason);
  void drop_track(uint64_t tid);

  broker& broker_;
  stack stack_;
  coap_resource_t* unknown_ = nullptr;
  boost::asio::steady_timer tick_;
  uint64_t next_id_ = 1;
  std::map<std::pair<uint64_t, std::string>, observer_entry> observers_;
  block1_assembly blocks_;
  // Requests waiting for their authentication (coap_register_async), by (session, token).
  struct deferred_request {
    coap_async_t* async = nullptr;  // owned by libcoap until it fires
    std::string body;               // a reassembled Block1 body
  };
  std::map<std::pair<uint64_t, std::string>, deferred_request> deferred_;
  struct con_track {
    coap_session_t* session = nullptr;                       // referenced
    std::map<coap_mid_t, uint64_t> cons;                     // CON notification mid -> tag
    std::vector<coap_mid_t> unbarriered;                     // sent since the last barrier ping
    std::map<coap_mid_t, std::vector<coap_mid_t>> barriers;  // ping mid -> notifications
    bool ping_out = false;  // one barrier ping at a time per client
  };
  std::map<uint64_t, con_track> tracks_;  // by transport id
  // libcoap peers answer at most one empty message with RST per 250 ms and drop the others
  // (which then cost a retransmission): a client's next ping waits until this time. Kept
  // apart from tracks_, which end with their last notification.
  std::map<uint64_t, std::chrono::steady_clock::time_point> next_ping_;
  bool barrier_posted_ = false;
  boost::asio::steady_timer barrier_timer_;
  bool stopped_ = false;
  // For status() from other threads.
  const std::size_t max_clients_;
  const int64_t created_at_ms_;
  std::atomic<int64_t> started_at_ms_{0};
  std::atomic<bool> stop_requested_{false};
  std::unique_ptr<gateway_logic> logic_;  // last: destroyed first, while the maps live
};

}  // namespace edgegw::coap
