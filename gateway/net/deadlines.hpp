// One steady_timer per io_context for the deadlines of all its connections (keepalive,
// CONNECT time-out, resend, linger), instead of one armed timer per connection: an idle
// connection then costs an intrusive tree node (32 bytes) rather than a timer object and
// a pending wait operation (~350 bytes), which is most of what 20,000 idle clients cost.
//
// Threading: the io_context must be run by one thread (net::io_pool does that), and every
// call for a deadline happens on that thread. on_deadline() runs on it too.
//
// Deadlines are ordered in a red-black tree; the one timer is armed at the earliest. An
// armed entry holds a reference to its owner (as a pending timer wait would), released
// when it fires, is cancelled, or the io_context shuts down.
#pragma once
#include "gateway/api/asio.hpp"

#include <boost/intrusive/set.hpp>
#include <chrono>
#include <memory>

namespace edgegw::net {

class deadline_service;

// Base of anything with a deadline. Not copyable: the tree holds its address.
class deadline_entry : public boost::intrusive::set_base_hook<
                           boost::intrusive::link_mode<boost::intrusive::auto_unlink>,
                           boost::intrusive::optimize_size<true>> {
 public:
  using clock = std::chrono::steady_clock;
  deadline_entry() = default;
  deadline_entry(const deadline_entry&) = delete;
  deadline_entry& operator=(const deadline_entry&) = delete;

  bool deadline_armed() const noexcept { return is_linked(); }
  clock::time_point deadline_at() const noexcept { return at_; }
  // Disarm (no callback); releases the owner reference.
  inline void cancel_deadline() noexcept;

 protected:
  virtual ~deadline_entry() = default;
  // Called once the deadline has passed (and the entry was removed from the tree).
  virtual void on_deadline() = 0;

 private:
  friend class deadline_service;
  friend bool operator<(const deadline_entry& a, const deadline_entry& b) noexcept {
    return a.at_ < b.at_;
  }
  clock::time_point at_{};
  std::shared_ptr<void> keep_;       // the owner, alive while the deadline is armed
  deadline_service* svc_ = nullptr;  // set while armed
};

class deadline_service final : public boost::asio::execution_context::service {
 public:
  using key_type = deadline_service;
  static inline boost::asio::execution_context::id id;
  using clock = deadline_entry::clock;

  // Only for io_contexts (the tree is not locked: one thread runs the context).
  explicit deadline_service(boost::asio::execution_context& ctx)
      : service(ctx), timer_(static_cast<boost::asio::io_context&>(ctx)) {}

  // The service of the io_context an executor belongs to.
  template <class Executor>
  static deadline_service& of(const Executor& ex) {
    auto& ctx = boost::asio::query(ex, boost::asio::execution::context);
    return boost::asio::use_service<deadline_service>(ctx);
  }

  // (Re)arm `e` at `at`, replacing its previous deadline; `owner` stays alive until then.
  void arm(deadline_entry& e, clock::time_point at, std::shared_ptr<void> owner) {
    if (e.is_linked()) tree_.erase(tree_.iterator_to(e));
    e.at_ = at;
    e.keep_ = std::move(owner);
    e.svc_ = this;
    tree_.insert(e);
    if (!timer_armed_ || at < timer_at_) rearm(at);
  }

  std::size_t pending() const noexcept { return tree_.size(); }

 private:
  using tree =
      boost::intrusive::multiset<deadline_entry, boost::intrusive::constant_time_size<false>>;

  friend class deadline_entry;

  void shutdown() override {
    while (!tree_.empty()) tree_.begin()->cancel_deadline();
    timer_.cancel();
  }

  // The last deadline went away: no pending wait may keep the io_context running.
  void removed() noexcept {
    if (tree_.empty() && timer_armed_) {
      timer_armed_ = false;
      ++gen_;
      try {
        timer_.cancel();
      } catch (...) {  // cancel() reports errors by exception only; nothing left to do
      }
    }
  }

  void rearm(clock::time_point at) {
    timer_armed_ = true;
    timer_at_ = at;
    timer_.expires_at(at);
    timer_.async_wait([this, gen = ++gen_](boost::system::error_code ec) {
      if (ec || gen != gen_) return;
      timer_armed_ = false;
      fire();
    });
  }

  void fire() {
    const auto now = clock::now();
    // Each expired entry leaves the tree before its callback, which may re-arm it.
    while (!tree_.empty() && tree_.begin()->at_ <= now) {
      deadline_entry& e = *tree_.begin();
      tree_.erase(tree_.begin());
      auto keep = std::move(e.keep_);  // e lives through its callback
      e.on_deadline();
    }
    if (!tree_.empty() && (!timer_armed_ || tree_.begin()->at_ < timer_at_))
      rearm(tree_.begin()->at_);
  }

  boost::asio::steady_timer timer_;
  tree tree_;
  clock::time_point timer_at_{};
  uint64_t gen_ = 0;
  bool timer_armed_ = false;
};

inline void deadline_entry::cancel_deadline() noexcept {
  if (is_linked()) {
    unlink();
    if (svc_) svc_->removed();
  }
  keep_.reset();
}

}  // namespace edgegw::net
