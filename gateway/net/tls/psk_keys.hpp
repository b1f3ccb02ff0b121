// TLS/DTLS pre-shared keys, in the formats SPEC section 6 gives the gateways and the TLS
// listeners share: one identity inline (psk_identity + psk_key, the key as text) and/or a
// psk_file of "identity:hexkey" lines ('#' comments and blank lines allowed).
// psk_store is the listener's live set: looked up by every handshake on any I/O thread,
// replaced whole by a SIGHUP reload.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace edgegw::net::tls {

using psk_table = std::map<std::string, std::string, std::less<>>;  // identity -> raw key

// Adds the lines of `text` to `out`; returns "" or the first problem as "LINE: message".
std::string parse_psk_lines(std::string_view text, psk_table& out);

// Reads `path` into `out`; returns "" or "PATH:LINE: message" / "PATH: cannot read: why".
std::string load_psk_file(const std::string& path, psk_table& out);

class psk_store {
 public:
  explicit psk_store(psk_table t) : table_(std::make_shared<const psk_table>(std::move(t))) {}

  std::optional<std::string> find(std::string_view identity) const {
    auto t = current();
    auto it = t->find(identity);
    if (it == t->end()) return std::nullopt;
    return it->second;
  }
  std::size_t size() const { return current()->size(); }
  void replace(psk_table t) {
    auto next = std::make_shared<const psk_table>(std::move(t));
    std::lock_guard lk(mu_);
    table_.swap(next);
  }

 private:
  std::shared_ptr<const psk_table> current() const {
    std::lock_guard lk(mu_);
    return table_;
  }
  mutable std::mutex mu_;
  std::shared_ptr<const psk_table> table_;
};

}  // namespace edgegw::net::tls
