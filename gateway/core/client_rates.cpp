// See client_rates.hpp.
#include "client_rates.hpp"

#include <algorithm>

namespace edgegw::core {

std::optional<std::chrono::nanoseconds> client_rates::admit(const std::string& client_id,
                                                            std::size_t bytes, bool may_wait,
                                                            clock::time_point now) {
  std::lock_guard lk(mu_);
  auto it = clients_.find(client_id);
  if (it == clients_.end()) {
    if (clients_.size() >= purge_at_) purge_locked(now);
    it = clients_
             .emplace(client_id, buckets{net::token_bucket(msg_rate_, msg_rate_, now),
                                         net::token_bucket(byte_rate_, byte_rate_, now)})
             .first;
  }
  auto& b = it->second;
  if (!may_wait && !(b.msgs.has_credit(now) && b.bytes.has_credit(now))) return std::nullopt;
  b.msgs.consume(1, now);
  b.bytes.consume(static_cast<double>(bytes), now);
  return std::max(b.msgs.until_credit(now), b.bytes.until_credit(now));
}

std::size_t client_rates::tracked() const {
  std::lock_guard lk(mu_);
  return clients_.size();
}

void client_rates::purge_locked(clock::time_point now) {
  std::erase_if(clients_,
                [&](auto& kv) { return kv.second.msgs.full(now) && kv.second.bytes.full(now); });
  // Sweep again only once the map has doubled past what is still active.
  purge_at_ = std::max<std::size_t>(1024, clients_.size() * 2);
}

}  // namespace edgegw::core
