// The error category of ws_stream, and the one instantiation of the connection glue over
// it (the TLS variant is instantiated in protocols/mqtt/tls).
#include "protocols/mqtt/ws/ws_stream.hpp"

#include <string>

namespace edgegw::mqtt {

namespace {

// boost::system::error_category's destructor is protected and non-virtual by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class ws_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mqtt.ws"; }
  std::string message(int ev) const override {
    switch (static_cast<ws_errc>(ev)) {
      case ws_errc::text_frame:
        return "text frame received (MQTT needs binary frames)";
    }
    return "unknown mqtt.ws error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& ws_category() noexcept {
  static const ws_category_impl c;
  return c;
}

template class connection<ws_stream>;

}  // namespace edgegw::mqtt
