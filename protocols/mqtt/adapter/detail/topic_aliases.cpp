// Outbound topic alias LRU; see topic_aliases.hpp.
#include "protocols/mqtt/adapter/detail/topic_aliases.hpp"

namespace edgegw::mqtt::detail {

void outbound_aliases::reset(uint16_t capacity) {
  by_topic_.clear();
  lru_.clear();
  capacity_ = capacity;
}

std::optional<uint16_t> outbound_aliases::find(std::string_view topic) {
  auto it = by_topic_.find(topic);
  if (it == by_topic_.end()) return std::nullopt;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->alias;
}

uint16_t outbound_aliases::next() const noexcept {
  if (capacity_ == 0) return 0;
  if (lru_.size() < capacity_) return static_cast<uint16_t>(lru_.size() + 1);
  return lru_.back().alias;
}

uint16_t outbound_aliases::commit(std::string_view topic) {
  uint16_t alias = next();
  if (alias == 0) return 0;
  if (lru_.size() >= capacity_) {
    by_topic_.erase(lru_.back().topic);
    lru_.pop_back();
  }
  lru_.push_front(entry{std::string(topic), alias});
  by_topic_.emplace(lru_.front().topic, lru_.begin());
  return alias;
}

}  // namespace edgegw::mqtt::detail
