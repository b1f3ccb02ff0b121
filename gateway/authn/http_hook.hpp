// The HTTP authentication hook, after EMQX's HTTP authenticator: POST a JSON body
//   {"clientid","username","password","peerhost","protocol"}
// to auth.http_url (plain http://) and read {"result":"allow"|"deny"|"ignore",
// "is_superuser":bool}. Any non-2xx status, unparsable body, connection error or time-out
// answers "ignore" (the chain goes on) and is logged; answers are cached for
// auth.http_cache_ttl so a reconnecting fleet does not hammer the service.
//
// Owner: the requests run on `ex` (the app's main io_context); query() may be called from
// any thread and its callback runs on that executor, never inline. The cache is guarded by
// a mutex so the synchronous path (cached()) may read it from any I/O thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/api/asio.hpp"
#include "gateway/api/broker.hpp"

namespace edgegw::authn {

enum class verdict : uint8_t { allow, deny, ignore };

struct hook_answer {
  verdict result = verdict::ignore;
  bool is_superuser = false;
};

struct http_hook_settings {
  std::string host;  // from the URL
  uint16_t port = 80;
  std::string target = "/";  // path and query
  std::chrono::milliseconds timeout{5000};
  std::chrono::milliseconds cache_ttl{60000};  // 0: no cache
  std::size_t cache_max = 10000;
};

// Splits "http://host[:port]/path"; "" on success or why the URL cannot be used.
std::string parse_http_url(std::string_view url, http_hook_settings& out);
// The JSON request body and the answer parser (pure, unit-tested).
std::string hook_request_body(const credentials& creds);
std::optional<hook_answer> parse_hook_answer(std::string_view body);

class http_hook : public std::enable_shared_from_this<http_hook> {
 public:
  http_hook(http_hook_settings s, boost::asio::any_io_executor ex);

  void query(const credentials& creds, std::function<void(hook_answer)> done);
  std::optional<hook_answer> cached(const credentials& creds);
  const http_hook_settings& settings() const noexcept { return s_; }

 private:
  struct request;
  std::string cache_key(const credentials& creds) const;
  // Caches `a` (when cacheable) and hands it to every query waiting for `key`.
  void complete(const std::string& key, hook_answer a, bool cacheable);
  // Forgets the waiters of `key` without answering them (shutdown only).
  void abandon(const std::string& key);
  void remember_locked(const std::string& key, hook_answer a);
  std::optional<hook_answer> cached_locked(const std::string& key);

  http_hook_settings s_;
  boost::asio::any_io_executor ex_;
  std::mutex mu_;
  struct entry {
    hook_answer answer;
    std::chrono::steady_clock::time_point expires;
    std::list<std::string>::iterator order;
  };
  std::unordered_map<std::string, entry> cache_;
  // Requests under way, by cache key: a second query for the same credentials waits for
  // the first instead of sending another (a fleet reconnecting at once).
  std::unordered_map<std::string, std::vector<std::function<void(hook_answer)>>> inflight_;
  std::list<std::string> order_;  // oldest first, for eviction at cache_max
};

}  // namespace edgegw::authn
