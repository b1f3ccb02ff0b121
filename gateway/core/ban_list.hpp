// The ban list (EMQX's "banned"): clients refused at authenticate() by client id, user name
// or peer address, until an expiry time. Kept in memory: bans last until a restart (or
// their expiry), as an operator's quick answer to a misbehaving device.
// Owner: any thread; guarded by its own mutex (a leaf lock).
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

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
  mutable std::vector<ban_entry> entries_;
};

// "1.2.3.4:567" or "[::1]:567" -> "1.2.3.4" / "::1"
std::string peer_host(const std::string& peer);

}  // namespace edgegw::core
