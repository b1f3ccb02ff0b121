// See coap_stack.hpp.
#include "protocols/coap/stack/coap_stack.hpp"

#include <arpa/inet.h>
#include <poll.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

#include "gateway/api/log.hpp"
#include "protocols/coap/stack/libcoap_api.hpp"

namespace edgegw::coap {

namespace {

// libcoap logs through this handler: its alerts (an RST from a peer, a failed handshake)
// are per-client events, so they go to debug; errors to warn.
void log_handler(coap_log_t level, const char* message) {
  std::string_view m(message);
  while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.remove_suffix(1);
  static auto l = log::get("coap");
  if (level <= LOG_CRIT)
    l->debug("libcoap msg=\"{}\"", m);
  else if (level <= LOG_WARNING)
    l->warn("libcoap msg=\"{}\"", m);
  else
    l->trace("libcoap msg=\"{}\"", m);
}

void startup_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    coap_startup();
    coap_set_log_handler(log_handler);
    // log.level = trace also shows libcoap's own debug output.
    coap_set_log_level(log::get("coap")->should_log(spdlog::level::trace) ? LOG_DEBUG
                                                                          : LOG_WARNING);
    coap_dtls_set_log_level(LOG_WARNING);
  });
}

const coap_bin_const_t* find_psk(coap_bin_const_t* identity, coap_session_t*, void* arg) {
  auto* table = static_cast<std::vector<std::pair<std::string, const coap_bin_const_t*>>*>(arg);
  if (!identity) return nullptr;
  std::string_view id(reinterpret_cast<const char*>(identity->s), identity->length);
  for (const auto& [name, key] : *table)
    if (name == id) return key;
  return nullptr;
}

int event_handler(coap_session_t* session, const coap_event_t event) {
  auto* self = static_cast<stack*>(coap_get_app_data(coap_session_get_context(session)));
  if (!self) return 0;
  if (event == COAP_EVENT_SERVER_SESSION_NEW) {
    auto ms = self->settings().ack_timeout.count();
    coap_fixed_point_t t{static_cast<uint16_t>(ms / 1000), static_cast<uint16_t>(ms % 1000)};
    coap_session_set_ack_timeout(session, t);
    coap_session_set_max_retransmit(session,
                                    static_cast<uint16_t>(self->settings().max_retransmit));
  }
  if (self->on_event) self->on_event(session, event);
  return 0;
}

}  // namespace

stack::stack(boost::asio::io_context& io, stack_settings s)
    : io_(io), settings_(std::move(s)), timer_(io) {
  libcoap::need(settings_.dtls ? libcoap::variant::openssl : libcoap::variant::notls);
}

stack::~stack() {
  stop();
  if (fd_) fd_->release();  // libcoap owns the fd
  fd_.reset();
  if (ctx_) coap_free_context(ctx_);
}

std::string stack::peer_of(const coap_session_t* s) {
  const coap_address_t* a = coap_session_get_addr_remote(s);
  if (!a) return "?";
  char host[INET6_ADDRSTRLEN] = {0};
  uint16_t port = 0;
  if (a->addr.sa.sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &a->addr.sin6.sin6_addr, host, sizeof host);
    port = ntohs(a->addr.sin6.sin6_port);
    return std::string("[") + host + "]:" + std::to_string(port);
  }
  inet_ntop(AF_INET, &a->addr.sin.sin_addr, host, sizeof host);
  port = ntohs(a->addr.sin.sin_port);
  return std::string(host) + ":" + std::to_string(port);
}

void stack::start() {
  try {
    libcoap::load();
  } catch (const std::exception& e) {
    throw std::runtime_error(settings_.name + ": " + e.what());
  }
  startup_once();
  ctx_ = coap_new_context(nullptr);
  if (!ctx_) throw std::runtime_error(settings_.name + ": cannot create libcoap context");
  coap_set_app_data(ctx_, this);
  coap_register_event_handler(ctx_, event_handler);
  coap_context_set_block_mode(
      ctx_, COAP_BLOCK_USE_LIBCOAP | (settings_.single_body ? COAP_BLOCK_SINGLE_BODY : 0));
  if (settings_.max_idle_sessions)
    coap_context_set_max_idle_sessions(ctx_, settings_.max_idle_sessions);
  if (settings_.dtls) setup_dtls();
  if (settings_.udp) add_endpoint(*settings_.udp, COAP_PROTO_UDP, settings_.name);
  if (settings_.dtls) add_endpoint(*settings_.dtls, COAP_PROTO_DTLS, settings_.name + "_dtls");
  int fd = coap_context_get_coap_fd(ctx_);
  if (fd < 0) throw std::runtime_error(settings_.name + ": libcoap was built without epoll");
  fd_.emplace(io_, fd);
}

void stack::setup_dtls() {
  const auto& d = settings_.dtls_cfg;
  if (!coap_dtls_is_supported())
    throw std::runtime_error(settings_.name + ": libcoap has no DTLS support");
  if (d.psk.empty() && d.certfile.empty())
    throw std::runtime_error(settings_.name +
                             ": DTLS needs psk_identity/psk_key, psk_file or certfile/keyfile");
  if (!d.psk.empty()) {
    auto& index = psk_index_;
    for (const auto& [id, key] : d.psk) {
      auto b = std::make_unique<coap_bin_const_t>();
      b->s = reinterpret_cast<const uint8_t*>(key.data());
      b->length = key.size();
      index.emplace_back(id, b.get());
      psk_keys_.push_back(std::move(b));
    }
    spsk_.version = COAP_DTLS_SPSK_SETUP_VERSION;
    spsk_.validate_id_call_back = find_psk;
    spsk_.id_call_back_arg = &index;
    // A default key libcoap needs set; the callback decides per identity.
    spsk_.psk_info.key.s = psk_keys_.front()->s;
    spsk_.psk_info.key.length = psk_keys_.front()->length;
    if (!coap_context_set_psk2(ctx_, &spsk_))
      throw std::runtime_error(settings_.name + ": DTLS PSK setup failed");
  }
  if (!d.certfile.empty()) {
    if (d.keyfile.empty()) throw std::runtime_error(settings_.name + ": certfile needs keyfile");
    pki_.version = COAP_DTLS_PKI_SETUP_VERSION;
    pki_.verify_peer_cert = d.verify_peer ? 1 : 0;
    pki_.check_common_ca = d.verify_peer && !d.cacertfile.empty() ? 1 : 0;
    pki_.allow_self_signed = 0;
    pki_.cert_chain_validation = 1;
    pki_.cert_chain_verify_depth = 3;
    pki_.pki_key.key_type = COAP_PKI_KEY_PEM;
    pki_.pki_key.key.pem.public_cert = settings_.dtls_cfg.certfile.c_str();
    pki_.pki_key.key.pem.private_key = settings_.dtls_cfg.keyfile.c_str();
    pki_.pki_key.key.pem.ca_file =
        d.cacertfile.empty() ? nullptr : settings_.dtls_cfg.cacertfile.c_str();
    if (!coap_context_set_pki(ctx_, &pki_))
      throw std::runtime_error(settings_.name + ": DTLS certificate setup failed (certfile " +
                               d.certfile + ", keyfile " + d.keyfile + ")");
    if (!d.cacertfile.empty() &&
        !coap_context_set_pki_root_cas(ctx_, settings_.dtls_cfg.cacertfile.c_str(), nullptr))
      throw std::runtime_error(settings_.name + ": cannot load cacertfile " + d.cacertfile);
  }
}

void stack::add_endpoint(const bind_address& a, coap_proto_t proto, const std::string& name) {
  coap_address_t addr;
  coap_address_init(&addr);
  std::string host = a.host;
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (inet_pton(AF_INET6, host.c_str(), &addr.addr.sin6.sin6_addr) == 1) {
    addr.addr.sin6.sin6_family = AF_INET6;
    addr.addr.sin6.sin6_port = htons(a.port);
    addr.size = sizeof(addr.addr.sin6);
  } else if (inet_pton(AF_INET, host.c_str(), &addr.addr.sin.sin_addr) == 1) {
    addr.addr.sin.sin_family = AF_INET;
    addr.addr.sin.sin_port = htons(a.port);
    addr.size = sizeof(addr.addr.sin);
  } else {
    throw std::runtime_error(name + ": bind address must be a numeric IP, not " + a.host);
  }
  coap_endpoint_t* ep = coap_new_endpoint(ctx_, &addr, proto);
  if (!ep)
    throw std::runtime_error(name + ": cannot bind UDP " + a.host + ":" + std::to_string(a.port) +
                             ": " + std::strerror(errno));
  // coap_endpoint_str: "ADDR:PORT UDP" with the port the kernel chose.
  std::string where = coap_endpoint_str(ep);
  if (auto sp = where.rfind(' '); sp != std::string::npos) where.resize(sp);
  endpoints_.emplace_back(name, where);
}

void stack::run() {
  running_ = true;
  wait_fd();
  arm_timer();
}

void stack::stop() {
  if (!running_) return;
  running_ = false;
  boost::system::error_code ec;
  timer_.cancel();
  if (fd_) fd_->cancel(ec);
}

void stack::kick() {
  if (running_) arm_timer();
}

void stack::wait_fd() {
  fd_->async_wait(boost::asio::posix::descriptor_base::wait_read,
                  [this](const boost::system::error_code& ec) {
                    if (ec || !running_) return;
                    process();
                    wait_fd();
                  });
}

// Asio waits for the epoll fd edge-triggered, while libcoap reads one datagram per socket
// and event: process until libcoap's epoll fd is no longer readable, or the next datagram
// would raise no new edge and sit there. A flood yields to other handlers after a while.
void stack::process() {
  constexpr int max_rounds = 64;
  int fd = coap_context_get_coap_fd(ctx_);
  for (int i = 0;; ++i) {
    coap_io_process(ctx_, COAP_IO_NO_WAIT);
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    if (i == max_rounds) {
      boost::asio::post(io_, [this] {
        if (running_) process();
      });
      break;
    }
  }
  arm_timer();
}

void stack::arm_timer() {
  coap_tick_t now;
  coap_ticks(&now);
  unsigned ms = coap_io_prepare_epoll(ctx_, now);
  // 0 means "nothing scheduled": wake up now and then anyway for session timeouts.
  timer_.expires_after(std::chrono::milliseconds(ms ? ms : 1000));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    process();
  });
}

}  // namespace edgegw::coap
