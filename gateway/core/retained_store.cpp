// See retained_store.hpp.
#include "retained_store.hpp"

#include "gateway/api/topic.hpp"

namespace edgegw::core {

bool retained_store::set(const message_ptr& msg, std::size_t max_messages) {
  std::lock_guard lk(mu_);
  auto it = by_topic_.find(msg->topic);
  if (it != by_topic_.end()) {
    it->second = msg;
    return true;
  }
  if (max_messages != 0 && by_topic_.size() >= max_messages) return false;
  by_topic_.emplace(msg->topic, msg);
  return true;
}

bool retained_store::erase(const std::string& topic) {
  std::lock_guard lk(mu_);
  return by_topic_.erase(topic) > 0;
}

message_ptr retained_store::get(std::string_view topic) const {
  std::lock_guard lk(mu_);
  auto it = by_topic_.find(topic);
  return it == by_topic_.end() ? nullptr : it->second;
}

std::vector<message_ptr> retained_store::match(std::string_view filter) const {
  std::vector<message_ptr> out;
  std::lock_guard lk(mu_);
  if (!has_wildcards(filter)) {
    if (auto it = by_topic_.find(filter); it != by_topic_.end()) out.push_back(it->second);
    return out;
  }
  for (const auto& [topic, msg] : by_topic_)
    if (topic_matches(filter, topic)) out.push_back(msg);
  return out;
}

std::vector<message_ptr> retained_store::all() const {
  std::lock_guard lk(mu_);
  std::vector<message_ptr> out;
  out.reserve(by_topic_.size());
  for (const auto& kv : by_topic_) out.push_back(kv.second);
  return out;
}

std::size_t retained_store::size() const {
  std::lock_guard lk(mu_);
  return by_topic_.size();
}

void retained_store::load(std::vector<message_ptr> msgs) {
  std::lock_guard lk(mu_);
  for (auto& m : msgs) by_topic_[m->topic] = std::move(m);
}

}  // namespace edgegw::core
