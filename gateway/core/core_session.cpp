// See core_session.hpp. Sink callbacks (on_ready) and throttle waiters are always invoked
// after mu_ is released: they post to other executors and must not nest our lock.
#include "core_session.hpp"

#include <algorithm>

#include "broker_core.hpp"
#include "gateway/api/log.hpp"

namespace edgegw::core {

core_session::core_session(broker_core& b, std::shared_ptr<const client_info> client,
                           uint32_t expiry_interval)
    : broker_(b),
      client_id_(client->client_id),
      client_(std::move(client)),
      expiry_interval_(expiry_interval) {}

store::durable_store& core_session::store() const {
  return broker_.store();
}

bool core_session::persistent() const {
  return expiry_interval_ > 0;
}

core_session::enqueue_result core_session::enqueue(const message_ptr& msg, uint8_t qos, bool retain,
                                                   std::vector<uint32_t> sub_ids,
                                                   const std::function<void()>* unthrottle) {
  const auto& cfg = broker_.settings();
  enqueue_result r;
  std::shared_ptr<delivery_sink> taker;
  {
    std::lock_guard lk(mu_);
    if (ended_) return r;
    taker = sink_;
  }
  // A sink that takes messages at routing time (the bridge's spool) bypasses the queue;
  // called without mu_ so it may take its own locks. When it got the publisher's hold it
  // releases it itself, so it counts as throttled here.
  if (taker && taker->take(msg, qos, retain, unthrottle && *unthrottle ? unthrottle : nullptr)) {
    r.queued = true;
    r.throttled = unthrottle && *unthrottle;
    return r;
  }
  std::shared_ptr<delivery_sink> notify;
  {
    std::lock_guard lk(mu_);
    if (ended_) return r;
    bool online = sink_ != nullptr;
    if (!online && qos == 0 && !cfg.mqueue_store_qos0) return r;
    // Connected: QoS 0 messages only wait for the connection to write them, bounded by
    // max_qos0_backlog; max_mqueue_len bounds QoS 1/2 waiting for the inflight window.
    // Offline: everything counts against max_mqueue_len.
    bool live_qos0 = online && qos == 0;
    auto& f = flow_locked();
    std::size_t count = !online     ? f.queue.size()
                        : live_qos0 ? f.queued_qos0
                                    : f.queue.size() - f.queued_qos0;
    std::size_t limit = live_qos0 ? cfg.max_qos0_backlog : cfg.max_mqueue_len;
    if (count >= limit) {
      ++dropped_;
      broker_.metrics().messages_dropped.fetch_add(1, std::memory_order_relaxed);
      broker_.metrics().messages_dropped_queue_full.fetch_add(1, std::memory_order_relaxed);
      r.dropped = true;
      if (cfg.mqueue_overflow == overflow_policy::drop_newest || limit == 0) {
        trim_locked();
        return r;
      }
      drop_oldest_locked(online, live_qos0);
    }
    queued_msg q{msg, next_seq_++, qos, retain, false, std::move(sub_ids)};
    // Online QoS 0 is never written: it would be lost in a crash anyway. Everything a
    // persistent session must keep across a restart is on its way to disk before the
    // publisher's acknowledgement is sent.
    if (expiry_interval_ > 0 && (qos > 0 || !online)) {
      q.persisted = true;
      r.persisted = true;
      store().put_message(
          {client_id_, q.seq, store::message_state::queued, 0, qos, retain, q.sub_ids, msg});
    }
    if (q.qos == 0) ++f.queued_qos0;
    f.queue.push_back(std::move(q));
    r.queued = true;
    if (online && unthrottle && *unthrottle && !stalled_ && cfg.flow_control_timeout.count() > 0 &&
        f.queue.size() >= std::max<std::size_t>(1, cfg.max_mqueue_len / 2)) {
      if (f.waiters.empty())
        f.hold_timer = broker_.hold_timer(weak_from_this(), cfg.flow_control_timeout);
      f.waiters.push_back(*unthrottle);
      r.throttled = true;
    }
    signal_locked(notify);
  }
  if (notify) notify->on_ready();
  return r;
}

void core_session::signal_locked(std::shared_ptr<delivery_sink>& to_notify) {
  if (sink_ && !ready_signalled_) {
    ready_signalled_ = true;
    to_notify = sink_;
  }
}

void core_session::drop_front_locked() {
  auto& fl = *flow_;
  auto& f = fl.queue.front();
  if (f.persisted) store().erase_message(client_id_, f.seq);
  if (f.qos == 0) --fl.queued_qos0;
  fl.queue.pop_front();
}

void core_session::drop_oldest_locked(bool online, bool qos0) {
  if (!online) return drop_front_locked();
  // Drop the oldest of the same class (QoS 0 / QoS 1-2) as the one that overflowed.
  auto& f = *flow_;
  for (auto it = f.queue.begin(); it != f.queue.end(); ++it) {
    if ((it->qos == 0) != qos0) continue;
    if (it->persisted) store().erase_message(client_id_, it->seq);
    if (it->qos == 0) --f.queued_qos0;
    f.queue.erase(it);
    return;
  }
}

uint16_t core_session::next_packet_id_locked() {
  // Caller guarantees inflight.size() < 65535, so a free id exists.
  const auto& inflight = flow_->inflight;
  while (true) {
    last_id_ = static_cast<uint16_t>(last_id_ == 65535 ? 1 : last_id_ + 1);
    bool used = std::any_of(inflight.begin(), inflight.end(),
                            [&](const inflight_msg& m) { return m.id == last_id_; });
    if (!used) return last_id_;
  }
}

delivery core_session::make_delivery(const queued_msg& q, uint16_t id, bool dup,
                                     bool pubrel) const {
  delivery d;
  d.msg = q.msg;
  std::string_view t = q.msg->topic;
  const auto& mp = client_->mountpoint;
  if (!mp.empty() && t.substr(0, mp.size()) == mp) t.remove_prefix(mp.size());
  d.topic = t;
  d.id = id;
  d.qos = q.qos;
  d.retain = q.retain;
  d.dup = dup;
  d.pubrel = pubrel;
  d.subscription_ids = q.sub_ids;
  return d;
}

std::size_t core_session::pull(uint64_t gen, std::vector<delivery>& out, std::size_t max) {
  std::vector<std::function<void()>> wake;
  std::size_t n = 0;
  uint64_t expired = 0;
  {
    std::lock_guard lk(mu_);
    if (ended_ || gen != gen_ || !sink_) return 0;
    if (!flow_) {  // nothing queued or in flight
      if (max > 0) ready_signalled_ = false;
      stalled_ = false;
      return 0;
    }
    auto& f = *flow_;
    if (resend_pending_) {
      bool left = false;
      for (auto& m : f.inflight) {
        if (!m.need_resend) continue;
        if (n == max) {
          left = true;
          break;
        }
        out.push_back(make_delivery(m.m, m.id, !m.released, m.released));
        m.need_resend = false;
        ++n;
      }
      resend_pending_ = left;
    }
    int64_t now = unix_ms_now();
    while (n < max && !f.queue.empty()) {
      auto& q = f.queue.front();
      if (q.qos > 0 && f.inflight.size() >= window_) break;
      if (q.msg->expired(now)) {
        ++expired;
        drop_front_locked();
        continue;
      }
      uint16_t id = 0;
      if (q.qos > 0) {
        id = next_packet_id_locked();
        if (q.persisted) store().update_message(client_id_, q.seq, store::message_state::sent, id);
      } else if (q.persisted) {
        store().erase_message(client_id_, q.seq);
      }
      out.push_back(make_delivery(q, id, false, false));
      if (q.qos > 0)
        f.inflight.push_back(inflight_msg{std::move(q), id, false, false});
      else
        --f.queued_qos0;
      f.queue.pop_front();
      ++n;
    }
    if (n < max) ready_signalled_ = false;
    if (f.queue.size() <= broker_.settings().max_mqueue_len / 4) {
      stalled_ = false;
      if (!f.waiters.empty()) {
        wake.swap(f.waiters);
        broker_.cancel_timer(f.hold_timer);
        f.hold_timer = 0;
      }
    }
    trim_locked();
  }
  auto& m = broker_.metrics();
  m.messages_sent.fetch_add(n, std::memory_order_relaxed);
  for (std::size_t i = out.size() - n; i < out.size(); ++i)
    if (!out[i].pubrel)
      m.messages_sent_qos[std::min<uint8_t>(out[i].qos, 2)].fetch_add(1, std::memory_order_relaxed);
  if (expired) m.messages_expired.fetch_add(expired, std::memory_order_relaxed);
  for (auto& w : wake) w();
  return n;
}

bool core_session::acknowledge(uint64_t gen, uint16_t id, ack_type type, uint8_t reason) {
  std::shared_ptr<delivery_sink> notify;
  bool ok = false;
  {
    std::lock_guard lk(mu_);
    // An acknowledgement from a connection that was just taken over still counts: the id
    // names the same unfinished delivery, which the new connection would otherwise get again.
    (void)gen;
    if (ended_ || !flow_) return false;
    auto& f = *flow_;
    auto it = std::find_if(f.inflight.begin(), f.inflight.end(),
                           [&](const inflight_msg& m) { return m.id == id; });
    if (it == f.inflight.end()) return false;
    bool done = false;
    switch (type) {
      case ack_type::puback:
        ok = it->m.qos == 1;
        done = ok;
        break;
      case ack_type::pubrec:
        if (it->m.qos != 2) break;
        ok = true;
        if (reason >= 0x80) {
          done = true;  // the receiver refused it: the QoS 2 flow ends here
        } else if (!it->released) {
          it->released = true;
          if (it->m.persisted)
            store().update_message(client_id_, it->m.seq, store::message_state::released, id);
        }
        break;
      case ack_type::pubcomp:
        ok = it->m.qos == 2 && it->released;
        done = ok;
        break;
    }
    if (done) {
      if (it->m.persisted) store().erase_message(client_id_, it->m.seq);
      f.inflight.erase(it);
      if (!f.queue.empty()) signal_locked(notify);
      trim_locked();
    }
  }
  if (notify) notify->on_ready();
  return ok;
}

bool core_session::begin_incoming_qos2(uint64_t gen, uint16_t id, errc* error) {
  if (error) *error = errc::ok;
  std::lock_guard lk(mu_);
  if (ended_ || gen != gen_) return false;
  auto& in = flow_locked().incoming_qos2;
  if (in.count(id)) return false;
  if (in.size() >= broker_.settings().limits.max_awaiting_rel) {
    if (error) *error = errc::quota_exceeded;
    return false;
  }
  in.insert(id);
  if (expiry_interval_ > 0) store().put_incoming_qos2(client_id_, id);
  return true;
}

bool core_session::release_incoming_qos2(uint64_t gen, uint16_t id) {
  std::lock_guard lk(mu_);
  if (ended_ || gen != gen_ || !flow_) return false;
  if (!flow_->incoming_qos2.erase(id)) return false;
  trim_locked();
  if (expiry_interval_ > 0) store().erase_incoming_qos2(client_id_, id);
  return true;
}

void core_session::set_will(uint64_t gen, std::optional<will_message> will) {
  std::lock_guard lk(mu_);
  if (ended_ || gen != gen_) return;
  will_ = will ? std::make_unique<will_message>(std::move(*will)) : nullptr;
}

void core_session::hold_expired() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lk(mu_);
    if (!flow_) return;
    flow_->hold_timer = 0;
    if (flow_->waiters.empty()) {
      trim_locked();
      return;
    }
    stalled_ = true;
    wake.swap(flow_->waiters);
    trim_locked();
  }
  log::core()->info("slow_subscriber client={} queued={} action=stop_holding_publishers",
                    client_id_, stats().queued);
  for (auto& w : wake) w();
}

core_session::snapshot core_session::inspect() const {
  std::lock_guard lk(mu_);
  snapshot s;
  s.client = client_;
  s.connected = sink_ != nullptr;
  s.created_at_ms = created_at_ms_;
  s.connected_at_ms = connected_at_ms_;
  s.disconnected_at_ms = disconnected_at_ms_;
  s.keepalive = keepalive_;
  s.clean_start = clean_start_;
  s.expiry_interval = expiry_interval_;
  s.inflight_max = window_;
  s.stats = {queued_locked(), inflight_locked(), dropped_, subs_locked()};
  return s;
}

session_stats core_session::stats() const {
  std::lock_guard lk(mu_);
  return {queued_locked(), inflight_locked(), dropped_, subs_locked()};
}

uint64_t core_session::attach(std::shared_ptr<const client_info> client,
                              const session_options& opts, std::shared_ptr<delivery_sink> sink,
                              uint16_t window) {
  std::lock_guard lk(mu_);
  client_ = std::move(client);
  expiry_interval_ = opts.expiry_interval;
  will_ = opts.will ? std::make_unique<will_message>(*opts.will) : nullptr;
  sink_ = std::move(sink);
  window_ = std::max<uint16_t>(1, window);
  disconnected_at_ms_ = 0;
  connected_at_ms_ = unix_ms_now();
  keepalive_ = opts.keepalive;
  clean_start_ = opts.clean_start;
  ++gen_;
  // Resend everything unacknowledged first, in the original order [MQTT-4.4.0-1].
  if (flow_)
    for (auto& m : flow_->inflight) m.need_resend = true;
  resend_pending_ = inflight_locked() > 0;
  // Anything waiting is announced right away (the broker calls on_ready after open, which
  // adapters only post, so their CONNACK goes out first).
  ready_signalled_ = resend_pending_ || queued_locked() > 0;
  return gen_;
}

std::optional<core_session::detached> core_session::detach(uint64_t gen, bool force) {
  std::lock_guard lk(mu_);
  if (!sink_ || (!force && gen != gen_)) return std::nullopt;
  // Member-wise (GCC 12 -O2 warns falsely about the optional will in aggregate init).
  detached d;
  d.sink = std::move(sink_);
  if (will_) d.will.emplace(std::move(*will_));
  if (flow_) {
    d.waiters = std::move(flow_->waiters);
    flow_->waiters.clear();
    trim_locked();
  }
  d.client = client_;
  sink_.reset();
  will_.reset();
  stalled_ = false;
  ++gen_;  // the old handle is now stale
  disconnected_at_ms_ = unix_ms_now();
  ready_signalled_ = false;
  return d;
}

bool core_session::has_pending() const {
  std::lock_guard lk(mu_);
  return ready_signalled_;
}

bool core_session::attached() const {
  std::lock_guard lk(mu_);
  return sink_ != nullptr;
}
bool core_session::is_current(uint64_t gen) const {
  std::lock_guard lk(mu_);
  return gen == gen_ && sink_ != nullptr;
}
void core_session::mark_ended() {
  std::lock_guard lk(mu_);
  ended_ = true;
  if (flow_) {
    flow_->queue.clear();
    flow_->queued_qos0 = 0;
    flow_->inflight.clear();
    trim_locked();
  }
}
bool core_session::ended() const {
  std::lock_guard lk(mu_);
  return ended_;
}
uint32_t core_session::expiry_interval() const {
  std::lock_guard lk(mu_);
  return expiry_interval_;
}
void core_session::set_expiry_interval(uint32_t v) {
  std::lock_guard lk(mu_);
  expiry_interval_ = v;
}
int64_t core_session::disconnected_at_ms() const {
  std::lock_guard lk(mu_);
  return disconnected_at_ms_;
}
void core_session::restore_disconnected_at(int64_t ms) {
  std::lock_guard lk(mu_);
  disconnected_at_ms_ = ms;
}

store::session_record core_session::record() const {
  std::lock_guard lk(mu_);
  return {client_id_,          client_->username, client_->protocol,
          client_->mountpoint, expiry_interval_,  disconnected_at_ms_};
}

std::vector<std::pair<std::string, subscription_options>> core_session::subscriptions() const {
  std::lock_guard lk(mu_);
  if (!subs_) return {};
  return {subs_->begin(), subs_->end()};
}

bool core_session::add_subscription(const std::string& full_filter, const subscription_options& o) {
  std::lock_guard lk(mu_);
  if (!subs_) subs_ = std::make_unique<std::map<std::string, subscription_options>>();
  return subs_->insert_or_assign(full_filter, o).second;
}

bool core_session::remove_subscription(const std::string& full_filter) {
  std::lock_guard lk(mu_);
  if (!subs_ || subs_->erase(full_filter) == 0) return false;
  if (subs_->empty()) subs_.reset();
  return true;
}

bool core_session::has_subscription(const std::string& full_filter) const {
  std::lock_guard lk(mu_);
  return subs_ && subs_->count(full_filter) > 0;
}

std::size_t core_session::subscription_count() const {
  std::lock_guard lk(mu_);
  return subs_locked();
}

void core_session::restore_message(const store::session_message_record& r) {
  std::lock_guard lk(mu_);
  queued_msg q{r.msg, r.seq, r.qos, r.retain, true, r.subscription_ids};
  next_seq_ = std::max(next_seq_, r.seq + 1);
  auto& f = flow_locked();
  if (r.state == store::message_state::queued) {
    if (q.qos == 0) ++f.queued_qos0;
    f.queue.push_back(std::move(q));
  } else {
    f.inflight.push_back(
        inflight_msg{std::move(q), r.packet_id, r.state == store::message_state::released, true});
    last_id_ = std::max(last_id_, r.packet_id);
  }
}

void core_session::restore_incoming_qos2(uint16_t id) {
  std::lock_guard lk(mu_);
  flow_locked().incoming_qos2.insert(id);
}

}  // namespace edgegw::core
