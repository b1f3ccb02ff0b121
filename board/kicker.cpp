// See kicker.hpp.
#include "kicker.hpp"

namespace edgegw::board {

struct kicker::state : std::enable_shared_from_this<state> {
  state(boost::asio::any_io_executor ex, std::chrono::milliseconds p, std::function<void()> k)
      : timer(std::move(ex)), period(p), kick(std::move(k)) {}

  void arm() {
    // From now, not from the last deadline: after a stall, one kick, not a burst of them.
    timer.expires_after(period);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec || self->stopped) return;
      self->kick();
      self->arm();
    });
  }

  boost::asio::steady_timer timer;
  std::chrono::milliseconds period;
  std::function<void()> kick;
  bool stopped = false;
};

kicker::kicker(boost::asio::any_io_executor ex, std::chrono::milliseconds period,
               std::function<void()> kick)
    : state_(std::make_shared<state>(std::move(ex), period, std::move(kick))) {}

kicker::~kicker() {
  stop();
}

void kicker::start() {
  state_->stopped = false;
  state_->kick();
  state_->arm();
}

void kicker::stop() {
  state_->stopped = true;
  state_->timer.cancel();
}

}  // namespace edgegw::board
