// One client's topic ids of type normal (MQTT-SN 1.2 section 6.5): names registered by the
// client (REGISTER, SUBSCRIBE by name) and by the gateway before a delivery, in one id
// space from 1025 up so they never collide with the predefined ids 1-1024. Bounded.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace edgegw::mqttsn::detail {

class topic_registry {
 public:
  static constexpr uint16_t first_id = 1025;

  explicit topic_registry(std::size_t max_topics) : max_(max_topics) {}

  // The id of `name`, registering it when new. nullopt when the registry is full or the
  // id space is used up.
  std::optional<uint16_t> add(std::string_view name);
  // Record an id the gateway chose (REGISTER acknowledged by the client).
  bool insert(uint16_t id, std::string_view name);
  // The id that `add` would give `name` next (for an outgoing REGISTER); nullopt if full.
  std::optional<uint16_t> peek_next() const;
  std::optional<uint16_t> find(std::string_view name) const;
  const std::string* name(uint16_t id) const;
  void erase(uint16_t id);
  void clear();
  std::size_t size() const noexcept { return by_id_.size(); }
  bool full() const noexcept { return by_id_.size() >= max_; }

 private:
  std::size_t max_;
  uint16_t next_ = first_id;
  std::map<uint16_t, std::string> by_id_;
  std::map<std::string, uint16_t, std::less<>> by_name_;
};

}  // namespace edgegw::mqttsn::detail
