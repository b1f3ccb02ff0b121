// See ban_list.hpp. A handful of entries at most: a vector scanned under a lock.
#include "ban_list.hpp"

#include <algorithm>

namespace edgegw::core {

bool ban_list::valid_kind(const std::string& as) {
  return as == "clientid" || as == "username" || as == "peerhost";
}

namespace {
store::ban_record to_record(const ban_entry& e) {
  return {e.as, e.who, e.by, e.reason, e.at_s, e.until_s};
}
}  // namespace

void ban_list::attach(store::durable_store* s) {
  std::lock_guard lk(mu_);
  store_ = s;
}

void ban_list::restore(const std::vector<store::ban_record>& stored, int64_t now_s) {
  std::lock_guard lk(mu_);
  for (const auto& r : stored) {
    if (!valid_kind(r.kind)) continue;
    if (r.until_s && r.until_s <= now_s) {
      if (store_) store_->erase_ban(r.kind, r.who);
      continue;
    }
    auto same = [&](const ban_entry& x) { return x.as == r.kind && x.who == r.who; };
    std::erase_if(entries_, same);
    entries_.push_back({r.kind, r.who, r.by, r.reason, r.at_s, r.until_s});
  }
}

void ban_list::purge_locked(int64_t now_s) const {
  std::erase_if(entries_, [&](const ban_entry& e) {
    if (!e.until_s || e.until_s > now_s) return false;
    if (store_) store_->erase_ban(e.as, e.who);
    return true;
  });
}

bool ban_list::add(ban_entry e) {
  std::lock_guard lk(mu_);
  purge_locked(e.at_s);
  for (const auto& x : entries_)
    if (x.as == e.as && x.who == e.who) return false;
  if (store_) store_->put_ban(to_record(e));
  entries_.push_back(std::move(e));
  return true;
}

bool ban_list::remove(const std::string& as, const std::string& who) {
  std::lock_guard lk(mu_);
  const bool had =
      std::erase_if(entries_, [&](const ban_entry& e) { return e.as == as && e.who == who; }) > 0;
  if (had && store_) store_->erase_ban(as, who);
  return had;
}

std::vector<ban_entry> ban_list::list(int64_t now_s) const {
  std::lock_guard lk(mu_);
  purge_locked(now_s);
  return entries_;
}

bool ban_list::is_banned(const std::string& client_id, const std::string& username,
                         const std::string& host, int64_t now_s) const {
  std::lock_guard lk(mu_);
  if (entries_.empty()) return false;
  purge_locked(now_s);
  return std::any_of(entries_.begin(), entries_.end(), [&](const ban_entry& e) {
    return (e.as == "clientid" && e.who == client_id) ||
           (e.as == "username" && !username.empty() && e.who == username) ||
           (e.as == "peerhost" && e.who == host);
  });
}

std::string peer_host(const std::string& peer) {
  auto colon = peer.rfind(':');
  if (colon == std::string::npos) return peer;
  std::string host = peer.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return host;
}

}  // namespace edgegw::core
