// One broker session: subscriptions, the queue of messages waiting for the inflight window,
// the inflight window itself (QoS 1/2 sent but unacknowledged), inbound QoS 2 ids, and the
// will. It outlives its connections when it has an expiry interval.
// Owner: every field is guarded by mu_; calls come from the owning connection's executor
// (pull, acknowledge) and from any publisher's thread (enqueue). Lock order: the broker's
// registry lock or the trie's lock may be held when mu_ is taken, never the reverse.
#pragma once
#include <cstdint>
#include <boost/container/deque.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core_settings.hpp"
#include "small_mutex.hpp"
#include "gateway/api/broker.hpp"
#include "gateway/store/durable_store.hpp"

namespace edgegw::core {

class broker_core;

class core_session : public std::enable_shared_from_this<core_session> {
 public:
  struct queued_msg {
    message_ptr msg;
    uint64_t seq = 0;
    uint8_t qos = 0;
    bool retain = false;
    bool persisted = false;
    std::vector<uint32_t> sub_ids;
  };
  struct inflight_msg {
    queued_msg m;
    uint16_t id = 0;
    bool released = false;     // QoS 2: PUBREC seen, PUBREL sent
    bool need_resend = false;  // after a resume: send again before anything new
  };
  struct enqueue_result {
    bool queued = false;
    bool dropped = false;
    bool throttled = false;
    bool persisted = false;  // written to the store: the ack waits for its commit
  };

  core_session(broker_core& b, std::shared_ptr<const client_info> client, uint32_t expiry_interval);

  const std::string& client_id() const noexcept { return client_id_; }
  // The connection's client (the last one while offline), for delivery checks.
  std::shared_ptr<const client_info> client() const {
    std::lock_guard lk(mu_);
    return client_;
  }

  // --- called by the broker (publish path may hold the trie's shared lock) ----------
  enqueue_result enqueue(const message_ptr& msg, uint8_t qos, bool retain,
                         std::vector<uint32_t> sub_ids, const std::function<void()>* unthrottle);

  // --- called through a session_handle of generation `gen` ----------------------------
  std::size_t pull(uint64_t gen, std::vector<delivery>& out, std::size_t max);
  bool acknowledge(uint64_t gen, uint16_t id, ack_type type, uint8_t reason);
  bool begin_incoming_qos2(uint64_t gen, uint16_t id, errc* error);
  bool release_incoming_qos2(uint64_t gen, uint16_t id);
  void set_will(uint64_t gen, std::optional<will_message> will);
  session_stats stats() const;

  // A consistent copy of what the management API shows about this session.
  struct snapshot {
    std::shared_ptr<const client_info> client;
    bool connected = false;
    int64_t created_at_ms = 0;
    int64_t connected_at_ms = 0;
    int64_t disconnected_at_ms = 0;
    uint16_t keepalive = 0;
    bool clean_start = true;
    uint32_t expiry_interval = 0;
    uint16_t inflight_max = 0;
    session_stats stats;
  };
  snapshot inspect() const;

  // Everything below is for broker_core, with the registry lock held.
  struct detached {
    std::shared_ptr<delivery_sink> sink;
    std::optional<will_message> will;
    std::vector<std::function<void()>> waiters;
    std::shared_ptr<const client_info> client;
  };
  // Attach a new connection; returns the new generation. The session and the connection's
  // handle share `client` (one copy per connection).
  uint64_t attach(std::shared_ptr<const client_info> client, const session_options& opts,
                  std::shared_ptr<delivery_sink> sink, uint16_t window);
  // Detach the current connection (gen must match unless force). Returns what the caller
  // must finish outside the lock (sink to close, will to publish, waiters to wake).
  std::optional<detached> detach(uint64_t gen, bool force);
  bool attached() const;
  // After attach: the new connection must be told (on_ready) that deliveries are waiting.
  bool has_pending() const;
  bool is_current(uint64_t gen) const;
  void mark_ended();
  bool ended() const;
  uint32_t expiry_interval() const;
  void set_expiry_interval(uint32_t v);
  int64_t disconnected_at_ms() const;
  bool persistent() const;
  store::session_record record() const;
  // Filters held (mounted, as stored), for removal from the trie when the session ends.
  std::vector<std::pair<std::string, subscription_options>> subscriptions() const;
  bool add_subscription(const std::string& full_filter, const subscription_options& o);
  bool remove_subscription(const std::string& full_filter);
  std::size_t subscription_count() const;
  bool has_subscription(const std::string& full_filter) const;

  // The hold timer fired: release the publishers waiting on this session.
  void hold_expired();

  // Restore from the store (start-up, before any connection).
  void restore_message(const store::session_message_record& r);
  void restore_incoming_qos2(uint16_t id);
  void restore_disconnected_at(int64_t ms);

  // Timers owned by the broker, recorded here so a resume can cancel them.
  uint64_t expiry_timer = 0;
  uint64_t will_timer = 0;
  // The store holds a record of this session (erase it when the session ends). Guarded by
  // the broker's registry lock.
  bool ever_stored = false;

 private:
  void drop_front_locked();
  void drop_oldest_locked(bool online, bool qos0);
  uint16_t next_packet_id_locked();
  void signal_locked(std::shared_ptr<delivery_sink>& to_notify);
  delivery make_delivery(const queued_msg& q, uint16_t id, bool dup, bool pubrel) const;
  store::durable_store& store() const;

  // What only a session with traffic in flight needs: allocated on first use, freed once
  // everything in it is empty again, so an idle session carries one pointer for it.
  struct flow {
    // boost::container::deque allocates nothing until used (std::deque takes ~544 bytes
    // at construction).
    boost::container::deque<queued_msg> queue;
    std::size_t queued_qos0 = 0;  // QoS 0 entries in queue
    boost::container::deque<inflight_msg> inflight;
    std::set<uint16_t> incoming_qos2;
    std::vector<std::function<void()>> waiters;
    uint64_t hold_timer = 0;
    bool empty() const noexcept {
      return queue.empty() && inflight.empty() && incoming_qos2.empty() && waiters.empty() &&
             hold_timer == 0;
    }
  };
  flow& flow_locked() {
    if (!flow_) flow_ = std::make_unique<flow>();
    return *flow_;
  }
  // Frees the flow part when nothing is left in it.
  void trim_locked() noexcept {
    if (flow_ && flow_->empty()) flow_.reset();
  }
  std::size_t queued_locked() const noexcept { return flow_ ? flow_->queue.size() : 0; }
  std::size_t inflight_locked() const noexcept { return flow_ ? flow_->inflight.size() : 0; }
  std::size_t subs_locked() const noexcept { return subs_ ? subs_->size() : 0; }

  broker_core& broker_;
  const std::string client_id_;
  std::shared_ptr<const client_info> client_;
  std::shared_ptr<delivery_sink> sink_;  // null while offline
  std::unique_ptr<flow> flow_;
  std::unique_ptr<will_message> will_;
  // Allocated with the first subscription (many devices only publish).
  std::unique_ptr<std::map<std::string, subscription_options>> subs_;
  uint64_t gen_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t dropped_ = 0;
  int64_t disconnected_at_ms_ = 0;
  int64_t created_at_ms_ = unix_ms_now();
  int64_t connected_at_ms_ = 0;
  uint32_t expiry_interval_;
  mutable small_mutex mu_;
  uint16_t keepalive_ = 0;
  uint16_t window_ = 65535;
  uint16_t last_id_ = 0;
  bool clean_start_ = true;
  bool ended_ = false;
  bool ready_signalled_ = false;
  bool resend_pending_ = false;
  // Publishers waited flow_control_timeout and the queue did not drain: stop holding them
  // (the drop policy applies) until it gets down to the low-water mark again.
  bool stalled_ = false;
};

// What adapters hold: one connection's view of a session. A handle whose generation is no
// longer current (the session was taken over or ended) turns every call into a no-op, so a
// late call from a dying connection cannot disturb its successor.
class session_handle final : public session {
 public:
  session_handle(std::shared_ptr<core_session> s, uint64_t gen,
                 std::shared_ptr<const client_info> c)
      : s_(std::move(s)), gen_(gen), client_(std::move(c)) {}
  const client_info& client() const noexcept override { return *client_; }
  std::size_t pull(std::vector<delivery>& out, std::size_t max) override {
    return s_->pull(gen_, out, max);
  }
  bool acknowledge(uint16_t id, ack_type type, uint8_t reason) override {
    return s_->acknowledge(gen_, id, type, reason);
  }
  bool begin_incoming_qos2(uint16_t id, errc* error) override {
    return s_->begin_incoming_qos2(gen_, id, error);
  }
  bool release_incoming_qos2(uint16_t id) override { return s_->release_incoming_qos2(gen_, id); }
  void set_will(std::optional<will_message> will) override { s_->set_will(gen_, std::move(will)); }
  void set_expiry_interval(uint32_t seconds) override {
    if (s_->is_current(gen_)) s_->set_expiry_interval(seconds);
  }
  session_stats stats() const override { return s_->stats(); }

  const std::shared_ptr<core_session>& core() const noexcept { return s_; }
  uint64_t generation() const noexcept { return gen_; }

 private:
  std::shared_ptr<core_session> s_;
  uint64_t gen_;
  std::shared_ptr<const client_info> client_;
};

}  // namespace edgegw::core
