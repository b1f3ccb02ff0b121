// MQTT 5 topic aliases of one connection, both directions (MQTT 5 section 3.3.2.3.4).
// Inbound: what the client has mapped, up to our Topic Alias Maximum; sparse, since a client
// may use any alias number up to the maximum. Outbound: the aliases we have told the
// client, least recently used reused first once all the client allows are taken.
// Owner: the connection's channel (its executor); not thread-safe.
#pragma once
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace edgegw::mqtt::detail {

class inbound_aliases {
 public:
  void set(uint16_t alias, std::string_view topic) { map_[alias].assign(topic); }
  // The topic of `alias`, or null when the client has not mapped it.
  const std::string* find(uint16_t alias) const {
    auto it = map_.find(alias);
    return it == map_.end() ? nullptr : &it->second;
  }
  void clear() { map_.clear(); }
  std::size_t size() const noexcept { return map_.size(); }

 private:
  std::unordered_map<uint16_t, std::string> map_;
};

class outbound_aliases {
 public:
  // How many aliases the client lets us use (its Topic Alias Maximum, capped by us).
  void reset(uint16_t capacity);
  uint16_t capacity() const noexcept { return capacity_; }
  // The alias already sent for `topic`, marking it most recently used.
  std::optional<uint16_t> find(std::string_view topic);
  // The alias the next commit() will use: a fresh number, or the least recently used one.
  uint16_t next() const noexcept;
  // Map `topic` to next(), forgetting the topic that alias had before.
  uint16_t commit(std::string_view topic);
  std::size_t size() const noexcept { return lru_.size(); }

 private:
  struct entry {
    std::string topic;
    uint16_t alias;
  };
  std::list<entry> lru_;  // front: most recently used
  // Keys view the topic held in the list node, which never moves.
  std::unordered_map<std::string_view, std::list<entry>::iterator> by_topic_;
  uint16_t capacity_ = 0;
};

}  // namespace edgegw::mqtt::detail
