// A libcoap 4.3 server context on an Asio io_context, reusable by every CoAP-based
// gateway (CoAP, LwM2M): UDP and DTLS endpoints (IPv4 or IPv6), PSK and certificate DTLS,
// libcoap's block-wise mode, and the event loop integration: libcoap's epoll fd is waited
// on with a stream_descriptor and its timers with one steady_timer armed at the time
// coap_io_prepare_epoll() returns; both run coap_io_process(COAP_IO_NO_WAIT). No thread of
// its own, no polling.
//
// Owner: the io_context passed in, which must be run by exactly one thread: libcoap is
// not thread-safe, so every use of context() happens there (post() onto it from others).
// start() may run before that thread starts.
#pragma once
#include <coap3/coap.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/api/asio.hpp"
#include "gateway/net/tls/psk_keys.hpp"

namespace edgegw::coap {

// identity -> raw key (the TLS listeners' format and parser, SPEC section 6).
using psk_table = net::tls::psk_table;

struct bind_address {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0", "::"
  uint16_t port = 0;
};

struct dtls_settings {
  psk_table psk;         // identity -> key; empty: no PSK
  std::string certfile;  // PEM; empty: no certificates
  std::string keyfile;
  std::string cacertfile;
  bool verify_peer = false;  // clients must present a certificate signed by cacertfile
};

struct stack_settings {
  std::string name = "coap";  // endpoint names: NAME and NAME_dtls
  std::optional<bind_address> udp;
  std::optional<bind_address> dtls;
  dtls_settings dtls_cfg;
  std::chrono::milliseconds ack_timeout{2000};
  unsigned max_retransmit = 4;
  unsigned max_idle_sessions = 0;  // libcoap's default when 0
  // libcoap's single-body mode: Block1 request bodies (and Block2 bodies of responses to
  // our requests) reach the handlers whole. libcoap 4.3.1 reassembles a Block1 body only
  // when Size1 announces it; false hands every Block1 block to the handler instead.
  bool single_body = true;
};

class stack {
 public:
  stack(boost::asio::io_context& io, stack_settings s);
  ~stack();
  stack(const stack&) = delete;
  stack& operator=(const stack&) = delete;

  // Create the context and endpoints. Throws std::runtime_error with a one-line reason.
  // Register resources and handlers on context() after this, then call run().
  void start();
  // Begin waiting for datagrams and timers.
  void run();
  // Stop serving: no more reads or timers; the context lives until destruction.
  void stop();

  coap_context_t* context() const { return ctx_; }
  // libcoap session events (SERVER_SESSION_NEW/DEL, DTLS_*), after the stack's own
  // handling (CON retransmission parameters on new sessions). Set before run().
  std::function<void(coap_session_t*, coap_event_t)> on_event;
  // The owner's pointer, for libcoap callbacks that find the stack through the context.
  void* user = nullptr;
  static stack* of(coap_context_t* ctx) { return static_cast<stack*>(coap_get_app_data(ctx)); }
  boost::asio::io_context& io() { return io_; }
  // Re-arm the timer after sending outside a libcoap callback (a notification), so
  // retransmissions are scheduled.
  void kick();
  // Let libcoap do its work now (a coap_async_trigger()ed request, due retransmissions)
  // rather than at the next timer; outside libcoap callbacks only.
  void process_now() {
    if (running_) process();
  }
  // {"coap", "127.0.0.1:5683"}, {"coap_dtls", "127.0.0.1:5684"}: valid after start().
  std::vector<std::pair<std::string, std::string>> endpoints() const { return endpoints_; }
  const stack_settings& settings() const { return settings_; }

  // "1.2.3.4:5" / "[::1]:5" of a session's peer.
  static std::string peer_of(const coap_session_t* s);

 private:
  void setup_dtls();
  void add_endpoint(const bind_address& a, coap_proto_t proto, const std::string& name);
  void wait_fd();
  void process();
  void arm_timer();

  boost::asio::io_context& io_;
  stack_settings settings_;
  coap_context_t* ctx_ = nullptr;
  std::optional<boost::asio::posix::stream_descriptor> fd_;
  boost::asio::steady_timer timer_;
  bool running_ = false;
  std::vector<std::pair<std::string, std::string>> endpoints_;
  std::string psk_hint_;
  std::vector<std::unique_ptr<coap_bin_const_t>> psk_keys_;                 // stable for libcoap
  std::vector<std::pair<std::string, const coap_bin_const_t*>> psk_index_;  // for find_psk
  coap_dtls_spsk_t spsk_{};
  coap_dtls_pki_t pki_{};
};

}  // namespace edgegw::coap
