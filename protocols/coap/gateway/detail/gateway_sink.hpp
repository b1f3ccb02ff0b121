// The delivery_sink of one CoAP client's broker session: the core calls it from any
// thread; it only posts onto the gateway's thread, where the posted call first checks
// that the gateway and this client's session still exist.
#pragma once
#include <memory>
#include <string>

#include "protocols/coap/gateway/gateway_logic.hpp"

namespace edgegw::coap {

class gateway_logic::sink final : public delivery_sink,
                                  public std::enable_shared_from_this<gateway_logic::sink> {
 public:
  sink(transport& t, std::shared_ptr<gateway_logic*> owner, std::string key)
      : transport_(t), owner_(std::move(owner)), key_(std::move(key)) {}

  void on_ready() override {
    transport_.post([w = weak_from_this(), o = owner_] {
      auto self = w.lock();
      if (self && *o) (*o)->deliver(self->key_, self.get());
    });
  }
  void on_close(close_reason reason) override {
    transport_.post([w = weak_from_this(), o = owner_, reason] {
      auto self = w.lock();
      if (self && *o) (*o)->on_session_closed(self->key_, self.get(), reason);
    });
  }

 private:
  transport& transport_;
  std::shared_ptr<gateway_logic*> owner_;
  std::string key_;
};

}  // namespace edgegw::coap
