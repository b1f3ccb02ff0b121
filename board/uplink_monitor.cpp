// See uplink_monitor.hpp.
#include "board/uplink_monitor.hpp"

#include "gateway/api/log.hpp"

namespace edgegw::board {

std::optional<bool> uplink_tracker::update(bool up, clock::time_point now) {
  if (up) {
    down_since_.reset();
    if (shown_up_) return std::nullopt;
    shown_up_ = true;
    return true;
  }
  if (!down_since_) down_since_ = now;
  if (!shown_up_ || now - *down_since_ < grace_) return std::nullopt;
  shown_up_ = false;
  return false;
}

uplink_monitor::uplink_monitor(boost::asio::any_io_executor ex, std::chrono::milliseconds period,
                               std::chrono::milliseconds grace, std::function<bool()> probe,
                               std::function<void(bool)> show)
    : tracker_(grace),
      probe_(std::move(probe)),
      show_(std::move(show)),
      kicker_(std::move(ex), period, [this] {
        if (auto change = tracker_.update(probe_(), uplink_tracker::clock::now())) {
          log::get("board")->info("uplink state={}", *change ? "up" : "down");
          show_(*change);
        }
      }) {}

}  // namespace edgegw::board
