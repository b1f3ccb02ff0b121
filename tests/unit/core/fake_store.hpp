// A durable_store that records every call, for checking what the core persists.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "gateway/store/durable_store.hpp"

namespace edgegw::test {

class fake_store final : public store::durable_store {
 public:
  result<store::loaded_state> load() override { return store::loaded_state{}; }
  void put_retained(message_ptr m) override { log("put_retained " + m->topic); }
  void erase_retained(const std::string& t) override { log("erase_retained " + t); }
  void put_session(const store::session_record& s) override { log("put_session " + s.client_id); }
  void erase_session(const std::string& c) override { log("erase_session " + c); }
  void put_subscription(const store::subscription_record& s) override {
    log("put_subscription " + s.client_id + " " + s.filter);
  }
  void erase_subscription(const std::string& c, const std::string& f) override {
    log("erase_subscription " + c + " " + f);
  }
  void put_message(const store::session_message_record& m) override {
    log("put_message " + m.client_id + " " + std::to_string(m.seq));
  }
  void update_message(const std::string& c, uint64_t seq, store::message_state st,
                      uint16_t id) override {
    log("update_message " + c + " " + std::to_string(seq) + " " + std::to_string(int(st)) + " " +
        std::to_string(id));
  }
  void erase_message(const std::string& c, uint64_t seq) override {
    log("erase_message " + c + " " + std::to_string(seq));
  }
  void put_incoming_qos2(const std::string& c, uint16_t id) override {
    log("put_incoming_qos2 " + c + " " + std::to_string(id));
  }
  void erase_incoming_qos2(const std::string& c, uint16_t id) override {
    log("erase_incoming_qos2 " + c + " " + std::to_string(id));
  }
  void flush() override {}
  void when_committed(std::function<void()> fn) override {
    std::lock_guard lk(mu_);
    if (hold_commits)
      commit_waiters.push_back(std::move(fn));
    else
      fn();
  }
  // When set, when_committed callbacks wait in commit_waiters until the test runs them.
  bool hold_commits = false;
  std::vector<std::function<void()>> commit_waiters;
  store::store_stats stats() const override { return {}; }

  std::vector<std::string> calls() {
    std::lock_guard lk(mu_);
    return calls_;
  }
  bool has(const std::string& prefix) {
    std::lock_guard lk(mu_);
    for (auto& c : calls_)
      if (c.rfind(prefix, 0) == 0) return true;
    return false;
  }
  void clear() {
    std::lock_guard lk(mu_);
    calls_.clear();
  }

 private:
  void log(std::string s) {
    std::lock_guard lk(mu_);
    calls_.push_back(std::move(s));
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

}  // namespace edgegw::test
