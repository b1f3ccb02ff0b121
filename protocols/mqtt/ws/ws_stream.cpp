// The closing side of ws_stream, its error category, and the one instantiation of the
// connection glue over it.
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

void ws_stream::start_close() {
  if (closing_) return;
  closing_ = true;
  // The handler holds the stream: the connection may be gone before the peer answers.
  // It runs on the socket's executor (a strand), serialised with the glue's operations.
  auto& s = *ws_;
  s.async_close(boost::beast::websocket::close_code::normal,
                [keep = ws_](boost::system::error_code) {});
}

void ws_stream::close_transport() noexcept {
  boost::system::error_code ec;
  auto& sock = ws_->next_layer();
  sock.shutdown(socket_type::shutdown_both, ec);
  sock.close(ec);
}

template class connection<ws_stream>;

}  // namespace edgegw::mqtt
