// broker_core: what the management API reads (clients, subscriptions, retained) and the
// few things it changes (kick, delete a retained message). Same locks as the rest of the
// core: registry_mu_ -> core_session::mu_.
#include "broker_core.hpp"
#include "gateway/api/log.hpp"

namespace edgegw::core {

std::vector<core_session::snapshot> broker_core::client_snapshots() const {
  std::vector<core_session::snapshot> out;
  std::lock_guard lk(registry_mu_);
  out.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_) out.push_back(s->inspect());
  return out;
}

std::optional<core_session::snapshot> broker_core::client_snapshot(
    const std::string& client_id) const {
  std::lock_guard lk(registry_mu_);
  auto it = sessions_.find(client_id);
  if (it == sessions_.end()) return std::nullopt;
  return it->second->inspect();
}

std::vector<broker_core::subscription_entry> broker_core::subscription_entries() const {
  std::vector<subscription_entry> out;
  std::lock_guard lk(registry_mu_);
  for (const auto& [id, s] : sessions_)
    for (auto& [filter, opts] : s->subscriptions()) out.push_back({std::string(id), filter, opts});
  return out;
}

bool broker_core::delete_retained(const std::string& topic) {
  if (!retained_.get(topic)) return false;
  message m;
  m.topic = topic;
  m.retain = true;
  store_retained(make_message(std::move(m)));  // an empty payload deletes
  return true;
}

bool broker_core::kick(const std::string& client_id) {
  std::shared_ptr<core_session> s;
  std::optional<core_session::detached> d;
  {
    std::lock_guard lk(registry_mu_);
    auto it = sessions_.find(client_id);
    if (it == sessions_.end()) return false;
    s = it->second;
    d = s->detach(0, true);
    if (d) --attached_;
    end_session_locked(s);
  }
  remove_from_trie(s);
  if (d) finish_detach(*d, close_reason::kicked, true, true, s);
  log::core()->info("kicked client={}", client_id);
  return true;
}

}  // namespace edgegw::core
