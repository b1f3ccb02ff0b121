// See block1_assembly.hpp.
#include "protocols/coap/gateway/block1_assembly.hpp"

namespace edgegw::coap {

void block1_assembly::erase(std::map<key, upload>::iterator it) {
  bytes_ -= it->second.body.size();
  uploads_.erase(it);
}

std::size_t block1_assembly::count_for(uint64_t client) const {
  std::size_t n = 0;
  for (auto it = uploads_.lower_bound(key{client, {}});
       it != uploads_.end() && it->first.first == client; ++it)
    ++n;
  return n;
}

block1_assembly::outcome block1_assembly::add(uint64_t client, const std::string& uri,
                                              block1_option b, std::string_view data,
                                              std::optional<std::size_t> size1, time_point now) {
  if (b.szx > 6) return {status::bad, {}};
  const std::size_t block_size = std::size_t(16) << b.szx;
  // Every block but the last carries exactly the block size (RFC 7959 2.2).
  if ((b.more && data.size() != block_size) || data.size() > block_size) return {status::bad, {}};
  const uint64_t offset = uint64_t(b.num) * block_size;
  auto it = uploads_.find(key{client, uri});

  if (b.num == 0) {
    if (it != uploads_.end()) erase(it);  // a new upload of the same URI replaces the old one
    if ((size1 && *size1 > limits_.max_body) || data.size() > limits_.max_body)
      return {status::too_large, {}};
    if (!b.more) return {status::complete, std::string(data)};
    if (count_for(client) >= limits_.max_per_client || bytes_ + data.size() > limits_.max_total)
      return {status::busy, {}};
    uploads_.emplace(key{client, uri}, upload{std::string(data), data.size(), now});
    bytes_ += data.size();
    return {status::more, {}};
  }

  if (it == uploads_.end()) return {status::incomplete, {}};
  upload& u = it->second;
  // The last block again (our 2.31 was lost): answer it again, append nothing.
  if (b.more && offset + data.size() == u.body.size() && data.size() == u.last_block_size &&
      std::string_view(u.body).substr(offset) == data) {
    u.touched = now;
    return {status::more, {}};
  }
  if (offset != u.body.size()) {
    erase(it);
    return {status::incomplete, {}};
  }
  if (u.body.size() + data.size() > limits_.max_body) {
    erase(it);
    return {status::too_large, {}};
  }
  if (bytes_ + data.size() > limits_.max_total) {
    erase(it);
    return {status::busy, {}};
  }
  u.body.append(data);
  u.last_block_size = data.size();
  u.touched = now;
  bytes_ += data.size();
  if (b.more) return {status::more, {}};
  outcome done{status::complete, std::move(u.body)};
  bytes_ -= done.body.size();
  uploads_.erase(it);
  return done;
}

std::size_t block1_assembly::expire(time_point now) {
  std::size_t n = 0;
  for (auto it = uploads_.begin(); it != uploads_.end();) {
    auto next = std::next(it);
    if (now - it->second.touched >= limits_.lifetime) {
      erase(it);
      ++n;
    }
    it = next;
  }
  return n;
}

void block1_assembly::forget(uint64_t client) {
  auto it = uploads_.lower_bound(key{client, {}});
  while (it != uploads_.end() && it->first.first == client) erase(it++);
}

}  // namespace edgegw::coap
