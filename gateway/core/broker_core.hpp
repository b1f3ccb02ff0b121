// broker_core: the implementation of edgegw::broker (gateway/api/broker.hpp). Owns the
// session registry, the subscription trie, retained messages, delayed publishes, wills,
// session expiry and $SYS. Adapters only ever see the broker interface.
//
// Locks (never taken in the reverse order): registry_mu_ -> core_session::mu_;
// trie_mu_ (shared for publish) -> core_session::mu_. retained_store and scheduler have
// their own leaf locks. Timers run on the core executor passed at construction.
#pragma once
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "ban_list.hpp"
#include "client_rates.hpp"
#include "core_session.hpp"
#include "core_settings.hpp"
#include "flapping_detector.hpp"
#include "gateway/api/asio.hpp"
#include "gateway/api/broker.hpp"
#include "gateway/store/durable_store.hpp"
#include "retained_store.hpp"
#include "scheduler.hpp"
#include "subscription_trie.hpp"

namespace edgegw::core {

// Authentication beyond allow_anonymous (password files, HTTP hooks) plugs in here.
class authenticator {
 public:
  virtual ~authenticator() = default;
  // ok: accept (may set is_superuser); an errc: refuse with that reason.
  virtual errc check(const credentials& creds, client_info& client) = 0;
  // The same without blocking the caller (sources that ask a remote service): `done` runs
  // exactly once, inline or later from any thread. The default calls check().
  virtual void check_async(const credentials& creds, client_info client,
                           std::function<void(errc, client_info)> done) {
    errc e = check(creds, client);
    done(e, std::move(client));
  }
};

// Topic-level authorization (ACL files) plugs in here; absent = allow everything.
// Called from any thread, possibly under the broker's routing lock: must not block and
// must not call back into the broker.
class authorizer {
 public:
  virtual ~authorizer() = default;
  // `topic` is relative to the client's mountpoint; for action::subscribe it is a filter.
  virtual bool allow(const client_info& client, action act, std::string_view topic) = 0;
  // Deliveries are checked one by one (a wildcard subscription must not bring a message
  // the client may not read, retained ones included). False lets the core skip the checks.
  virtual bool filters_deliveries() const { return false; }
  // May `client` receive a message on `topic` (a topic name, relative to its mountpoint)?
  virtual bool may_receive(const client_info& client, std::string_view topic) {
    return allow(client, action::subscribe, topic);
  }
};

class broker_core final : public broker {
 public:
  broker_core(core_settings settings, boost::asio::any_io_executor core_executor,
              store::durable_store& store);
  ~broker_core() override;

  // Start-up: restore retained messages and persistent sessions. Call before serving.
  void restore(store::loaded_state state);
  // Start the $SYS timer. Call once the listeners are up.
  void start();
  // Graceful stop: close every attached session (sinks get on_close(server_shutdown)),
  // cancel timers, flush the store.
  void shutdown();

  void set_authenticator(std::shared_ptr<authenticator> a) { authn_ = std::move(a); }
  void set_authorizer(std::shared_ptr<authorizer> a) { authz_ = std::move(a); }

  // broker interface
  result<client_info> authenticate(const credentials& creds) override;
  void authenticate_async(const credentials& creds, authenticate_handler done) override;
  result<opened_session> open_session(const client_info& client, const session_options& options,
                                      std::shared_ptr<delivery_sink> sink) override;
  bool authorize(const client_info& client, action act, std::string_view topic) override;
  result<publish_outcome> publish(const client_info& client, message_ptr msg,
                                  std::function<void()> on_unthrottle) override;
  std::vector<subscribe_outcome> subscribe(session& s,
                                           std::span<const subscription_request> subs) override;
  std::vector<errc> unsubscribe(session& s, std::span<const std::string> filters) override;
  void close(session& s, close_reason reason, bool send_will) override;
  std::vector<message_ptr> retained(const client_info& client, std::string_view filter) override;
  broker_metrics& metrics() noexcept override { return metrics_; }
  const broker_limits& limits() const noexcept override { return settings_.limits; }

  // For core_session and the sys publisher.
  const core_settings& settings() const noexcept { return settings_; }
  store::durable_store& store() noexcept { return store_; }
  std::size_t session_count() const;
  std::size_t retained_count() const { return retained_.size(); }
  std::size_t subscription_count() const;
  std::size_t delayed_count() const { return delayed_count_.load(); }
  // Flow control: call s->hold_expired() after `d` unless cancelled.
  uint64_t hold_timer(std::weak_ptr<core_session> s, std::chrono::milliseconds d) {
    return timers_.schedule_after(d, [s] {
      if (auto live = s.lock()) live->hold_expired();
    });
  }
  void cancel_timer(uint64_t id) {
    if (id) timers_.cancel(id);
  }
  // Publish a message as the broker itself (wills, $SYS, delayed), topic already mounted.
  // A publisher's acknowledgement held by several things at once (slow subscribers, the
  // store's commit): `fn` runs when the last of them lets go.
  struct publish_hold {
    std::atomic<int> count{1};  // 1 = the publish call itself, until it returns
    std::function<void()> fn;
    void release() {
      if (count.fetch_sub(1) == 1 && fn) fn();
    }
  };
  struct route_result {
    std::size_t matched = 0;
    bool persisted = false;
  };
  // `hold` may be null (no publisher to hold: wills, $SYS, delayed).
  route_result route(const message_ptr& msg, const std::shared_ptr<publish_hold>& hold);

  // --- Management (the HTTP API): consistent copies, thread-safe ----------------------
  std::vector<core_session::snapshot> client_snapshots() const;
  std::optional<core_session::snapshot> client_snapshot(const std::string& client_id) const;
  struct subscription_entry {
    std::string client_id;
    std::string filter;  // as stored: mounted, "$share/<group>/..." kept
    subscription_options options;
  };
  std::vector<subscription_entry> subscription_entries() const;
  std::vector<message_ptr> retained_messages() const { return retained_.all(); }
  message_ptr retained_message(std::string_view topic) const { return retained_.get(topic); }
  // Removes it from memory and the store; false when there was none.
  bool delete_retained(const std::string& topic);
  // Disconnect the client (close_reason::kicked, its will goes out) and discard its
  // session, connected or not. False when no such session.
  bool kick(const std::string& client_id);
  // Consulted by authenticate(): a banned client is refused with errc::banned. Flapping
  // detection adds entries with by = "flapping". Changes go to the durable store.
  ban_list& bans() noexcept { return bans_; }
  std::chrono::milliseconds uptime() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started_);
  }

 private:
  // authenticate() in two halves around the authenticator: admission checks before it,
  // the failure count and the mountpoint after it.
  result<client_info> admit(const credentials& creds);
  result<client_info> authenticated(const credentials& creds, client_info c, errc e);
  void end_session_locked(const std::shared_ptr<core_session>& s);
  void remove_from_trie(const std::shared_ptr<core_session>& s);
  void finish_detach(core_session::detached& d, close_reason reason, bool close_sink,
                     bool publish_will, const std::shared_ptr<core_session>& s);
  void schedule_expiry(const std::shared_ptr<core_session>& s);
  void publish_will(const client_info& client, const will_message& w);
  // Returns true when it wrote to the durable store.
  bool store_retained(const message_ptr& msg);
  bool schedule_delayed(const client_info& client, const message_ptr& msg, errc* error);
  void publish_client_event(const client_info& c, bool connected, close_reason reason,
                            const session_options* opts);
  void publish_sys();
  std::string assign_client_id();
  static message_ptr with_topic(const message_ptr& m, std::string topic);
  // The authorizer when deliveries must be checked one by one, else null.
  authorizer* delivery_filter() const {
    return authz_ && authz_->filters_deliveries() ? authz_.get() : nullptr;
  }
  // `topic` is mounted: the check strips the client's mountpoint first.
  static bool may_receive(authorizer& a, const client_info& c, std::string_view topic);

  core_settings settings_;
  boost::asio::any_io_executor ex_;
  store::durable_store& store_;
  scheduler timers_;
  broker_metrics metrics_;
  std::shared_ptr<authenticator> authn_;
  std::shared_ptr<authorizer> authz_;

  mutable std::mutex registry_mu_;
  // Keyed by a view of the session's own client id (the session outlives its entry).
  std::unordered_map<std::string_view, std::shared_ptr<core_session>> sessions_;
  std::size_t attached_ = 0;

  mutable std::shared_mutex trie_mu_;
  subscription_trie trie_;

  retained_store retained_;
  ban_list bans_;
  flapping_detector flapping_;
  client_rates rates_;
  std::atomic<std::size_t> delayed_count_{0};
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<bool> stopping_{false};
};

}  // namespace edgegw::core
