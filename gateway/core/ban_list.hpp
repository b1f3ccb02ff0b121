// The ban list (EMQX's "banned"): clients refused at authenticate() by client id, user name
// or peer address, until an expiry time. Consulted in memory; every change (add, remove,
// expiry) is also written through the durable store (its own table, on the storage thread),
// so bans survive a restart when persistence is on.
// Owner: any thread; guarded by its own mutex. The store's enqueue takes only its own leaf
// lock, so it is called under ours.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "gateway/store/durable_store.hpp"

namespace edgegw::core {

struct ban_entry {
  std::string as;  // "clientid" | "username" | "peerhost"
  std::string who;
  std::string by;
  std::string reason;
  int64_t at_s = 0;     // unix seconds
  int64_t until_s = 0;  // unix seconds; 0 = forever
};

class ban_list {
 public:
  static bool valid_kind(const std::string& as);
  // Where changes are written from now on; null (the default) writes nothing.
  void attach(store::durable_store* s);
  // Start-up: take the stored entries; expired ones are erased from the store.
  void restore(const std::vector<store::ban_record>& stored, int64_t now_s);
  // False when an entry for (as, who) exists already.
  bool add(ban_entry e);
  bool remove(const std::string& as, const std::string& who);
  // Unexpired entries, oldest first.
  std::vector<ban_entry> list(int64_t now_s) const;
  bool is_banned(const std::string& client_id, const std::string& username,
                 const std::string& peer_host, int64_t now_s) const;

 private:
  void purge_locked(int64_t now_s) const;
  mutable std::mutex mu_;
  store::durable_store* store_ = nullptr;
  mutable std::vector<ban_entry> entries_;
};

// "1.2.3.4:567" or "[::1]:567" -> "1.2.3.4" / "::1"
std::string peer_host(const std::string& peer);

}  // namespace edgegw::core
