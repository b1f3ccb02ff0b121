// The LwM2M server gateway (SPEC section 7, EMQX-compatible topics and JSON): the
// registration interface /rd on a libcoap context of its own (protocols/coap/stack, the
// same Asio integration as the CoAP gateway), one broker session per registered device,
// and the device-management commands that applications publish on {mountpoint}dn/#,
// sent to the device as CoAP requests on the device's own (server-side) libcoap session,
// so DTLS devices are reached through their DTLS session and NATed devices through the
// address they last registered or updated from.
//
// Commands go to a device one at a time (as EMQX does); the others wait in a bounded
// per-device queue. A queue-mode device (binding UQ/SQ/UQS or Q) silent for longer than
// qmode_time_window is asleep: its commands wait until it next sends anything. A command
// not answered within command_timeout, waiting or sent, is answered on up/resp with a
// coap_timeout message; an RST with coap_reset.
//
// Owner: the stack's io_context thread (one thread). Broker callbacks (delivery sinks)
// only post onto it; status() reads atomics. The management API's calls (gateway_commands,
// gateway_api.cpp) read a small view under api_mu_ and post commands onto that thread.
#pragma once
#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gateway/api/broker.hpp"
#include "gateway/net/gateway_commands.hpp"
#include "gateway/net/service.hpp"
#include "gateway/net/status_source.hpp"
#include "protocols/coap/stack/coap_stack.hpp"
#include "protocols/lwm2m/codec/codec.hpp"
#include "protocols/lwm2m/gateway/settings.hpp"

namespace edgegw::lwm2m {

class lwm2m_gateway final : public net::service,
                            public net::status_source,
                            public net::gateway_commands {
 public:
  using clock = std::chrono::steady_clock;

  lwm2m_gateway(broker& b, boost::asio::io_context& io, gateway_settings g, coap::stack_settings s,
                object_registry objects);
  ~lwm2m_gateway() override;

  void start() override;
  std::vector<std::pair<std::string, std::string>> endpoints() const override {
    return stack_.endpoints();
  }
  void stop() override;
  net::service_status status() const override;

  // gateway_commands (gateway_api.cpp): commands from /api/v5/gateways/lwm2m/clients/...
  std::string_view commands_gateway() const override { return "lwm2m"; }
  net::command_outcome send_command(std::string_view ep, std::string_view command_json) override;
  std::optional<std::string> last_answer(std::string_view ep, std::string_view action,
                                         std::string_view path, bool* known) const override;

 private:
  class sink;
  struct queued {
    command cmd;
    clock::time_point deadline;
  };
  struct observation {
    command cmd;            // the observe command (reqID, path, encoding)
    bool answered = false;  // the first response went to up/resp; the rest are notify
  };
  struct pending_auth {
    coap_session_t* session = nullptr;  // referenced
    std::string token;                  // of the parked REGISTER
    std::optional<edgegw::result<client_info>> answer;
  };
  struct device {
    std::string ep;
    std::string location;                 // the id of rd/{id}
    coap_resource_t* resource = nullptr;  // rd/{id}: libcoap calls no unknown-resource
                                          // handler for DELETE
    registration reg;                     // merged with every update
    client_info info;
    session_ptr sess;
    std::shared_ptr<sink> snk;
    coap_session_t* coap = nullptr;  // referenced
    clock::time_point last_seen;
    clock::time_point expires;
    bool queue_mode = false;
    std::deque<queued> waiting;
    std::optional<queued> inflight;
    std::string inflight_token;
    std::map<std::string, observation> observations;  // by token
  };

  static void on_request(coap_resource_t* r, coap_session_t* s, const coap_pdu_t* req,
                         const coap_string_t* query, coap_pdu_t* resp);
  static coap_response_t on_response(coap_session_t* s, const coap_pdu_t* sent,
                                     const coap_pdu_t* received, coap_mid_t mid);
  static void on_nack(coap_session_t* s, const coap_pdu_t* sent, coap_nack_reason_t reason,
                      coap_mid_t mid);
  void handle(coap_session_t* s, const coap_pdu_t* req, coap_pdu_t* resp);
  void do_register(coap_session_t* s, const coap_pdu_t* req, const std::vector<std::string>& query,
                   std::string_view payload, coap_pdu_t* resp);
  // The registration's authentication answer, or nullopt when the request was parked until
  // it arrives (gateway_rd.cpp).
  std::optional<edgegw::result<client_info>> authenticate(coap_session_t* s, const coap_pdu_t* req,
                                                          const credentials& cr);
  void on_auth_answer(uint64_t id, edgegw::result<client_info> r);
  // For the re-run of a parked REGISTER: its authentication answer (the entry is removed).
  std::optional<edgegw::result<client_info>> take_parked(coap_session_t* s, const coap_pdu_t* req);
  void do_update(device& d, coap_session_t* s, const std::vector<std::string>& query,
                 std::string_view payload, coap_pdu_t* resp);
  void response(device& d, const std::string& token, const coap_pdu_t* received);
  void nack(device& d, const std::string& token, coap_nack_reason_t reason);

  // Broker side.
  void deliver(const std::string& ep, const sink* s);
  void on_session_closed(const std::string& ep, const sink* s, close_reason reason);
  // Invalid UTF-8 from a device is replaced rather than thrown on (nlohmann's dump).
  void publish(device& d, const std::string& topic, const nlohmann::json& body);
  void submit(device& d, command cmd);
  void auto_observe(device& d);
  // Remember the device's answer to `cmd` for the API's lookup (gateway_api.cpp).
  void record_answer(const device& d, const command& cmd, std::string_view action,
                     const nlohmann::json& answer);
  void api_view_add(const std::string& ep);
  void api_view_remove(const std::string& ep);

  // Device side.
  bool asleep(const device& d, clock::time_point now) const;
  void touch(device& d, coap_session_t* s);
  void pump(device& d);
  bool send(device& d, const command& cmd, std::string& token);
  void finish_inflight(device& d);
  void remove(std::string ep, bool deregister_event,
              close_reason why);  // ep by value: callers pass map keys
  void tick();
  void schedule_tick();
  std::string new_location();
  void set_location(device& d);
  bool identity_may_act_as(coap_session_t* s, std::string_view ep) const;
  void drop_resource(coap_resource_t* r);

  broker& broker_;
  gateway_settings settings_;
  coap::stack stack_;
  object_registry objects_;
  boost::asio::steady_timer tick_;
  std::shared_ptr<lwm2m_gateway*> self_;
  std::map<std::string, std::unique_ptr<device>, std::less<>> devices_;  // by endpoint
  std::map<std::string, std::string, std::less<>> locations_;            // id -> endpoint
  std::map<std::string, std::string, std::less<>> tokens_;               // token -> endpoint
  uint64_t next_token_ = 1;
  std::map<uint64_t, pending_auth> pending_auth_;  // registrations awaiting authentication
  uint64_t next_auth_ = 1;
  std::random_device random_;
  std::atomic<bool> stopped_{false};
  std::vector<delivery> batch_;
  std::atomic<std::size_t> device_count_{0};
  std::atomic<uint64_t> commands_{0}, responses_{0}, notifications_{0}, timeouts_{0};
  // What the API may read from its own thread: the registered endpoints and, for each,
  // the last answer per "action path" (EMQX's lookup), bounded per device.
  mutable std::mutex api_mu_;
  std::map<std::string, std::map<std::string, std::string>, std::less<>> api_view_;
};

}  // namespace edgegw::lwm2m
