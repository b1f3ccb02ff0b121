// See topic_registry.hpp.
#include "topic_registry.hpp"

namespace edgegw::mqttsn::detail {

std::optional<uint16_t> topic_registry::peek_next() const {
  if (full()) return std::nullopt;
  // Ids are not reused while the client is connected unless the space wrapped.
  uint16_t id = next_;
  for (uint32_t tries = 0; tries < 65536 - first_id; ++tries) {
    if (!by_id_.count(id)) return id;
    id = id == 0xFFFF ? first_id : static_cast<uint16_t>(id + 1);
  }
  return std::nullopt;
}

std::optional<uint16_t> topic_registry::add(std::string_view name) {
  if (auto id = find(name)) return id;
  auto id = peek_next();
  if (!id) return std::nullopt;
  insert(*id, name);
  return id;
}

bool topic_registry::insert(uint16_t id, std::string_view name) {
  if (id < first_id) return false;
  if (by_id_.count(id)) return by_id_[id] == name;
  if (full()) return false;
  if (auto old = find(name)) erase(*old);
  by_id_.emplace(id, std::string(name));
  by_name_.emplace(std::string(name), id);
  if (id >= next_) next_ = id == 0xFFFF ? first_id : static_cast<uint16_t>(id + 1);
  return true;
}

std::optional<uint16_t> topic_registry::find(std::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

const std::string* topic_registry::name(uint16_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

void topic_registry::erase(uint16_t id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  by_name_.erase(it->second);
  by_id_.erase(it);
}

void topic_registry::clear() {
  by_id_.clear();
  by_name_.clear();
  next_ = first_id;
}

}  // namespace edgegw::mqttsn::detail
