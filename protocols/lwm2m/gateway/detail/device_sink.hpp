// The delivery_sink of one device's broker session: the core calls it from any thread; it
// only posts onto the gateway's thread, where the call first checks that the gateway and
// this device's session still exist.
#pragma once
#include <memory>
#include <string>

#include "protocols/lwm2m/gateway/lwm2m_gateway.hpp"

namespace edgegw::lwm2m {

class lwm2m_gateway::sink final : public delivery_sink,
                                  public std::enable_shared_from_this<lwm2m_gateway::sink> {
 public:
  sink(boost::asio::io_context& io, std::shared_ptr<lwm2m_gateway*> owner, std::string ep)
      : io_(io), owner_(std::move(owner)), ep_(std::move(ep)) {}

  void on_ready() override {
    boost::asio::post(io_, [w = weak_from_this(), o = owner_] {
      auto self = w.lock();
      if (self && *o) (*o)->deliver(self->ep_, self.get());
    });
  }
  void on_close(close_reason reason) override {
    boost::asio::post(io_, [w = weak_from_this(), o = owner_, reason] {
      auto self = w.lock();
      if (self && *o) (*o)->on_session_closed(self->ep_, self.get(), reason);
    });
  }

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<lwm2m_gateway*> owner_;
  std::string ep_;
};

}  // namespace edgegw::lwm2m
