// Clock helper for message.hpp: wall-clock time survives restarts, steady_clock does not.
#include "message.hpp"

namespace edgegw {

int64_t unix_ms_now() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace edgegw
