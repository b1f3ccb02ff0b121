// See broker_core.hpp. Sessions, authentication and close; pub/sub is in broker_routing.cpp,
// $SYS in broker_sys.cpp.
#include "broker_core.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "gateway/api/log.hpp"

namespace edgegw::core {

broker_core::broker_core(core_settings settings, boost::asio::any_io_executor core_executor,
                         store::durable_store& store)
    : settings_(std::move(settings)),
      ex_(core_executor),
      store_(store),
      timers_(core_executor),
      flapping_(settings_.flapping_max_count, settings_.flapping_window),
      rates_(settings_.max_message_rate, settings_.max_byte_rate),
      rng_(std::random_device{}()) {
  bans_.attach(&store_);
}

broker_core::~broker_core() {
  timers_.stop();
}

std::string broker_core::assign_client_id() {
  std::lock_guard lk(rng_mu_);
  static constexpr char hex[] = "0123456789abcdef";
  std::string id = "edgegw-";
  uint64_t v = rng_();
  for (int i = 0; i < 16; ++i, v >>= 4) id.push_back(hex[v & 15]);
  return id;
}

namespace {
void replace_all(std::string& s, std::string_view what, std::string_view with) {
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + with.size()))
    s.replace(p, what.size(), with);
}
}  // namespace

result<client_info> broker_core::admit(const credentials& creds) {
  if (stopping_) return errc::server_unavailable;
  client_info c;
  c.client_id = creds.client_id;
  c.username = creds.username.value_or("");
  c.protocol = creds.protocol;
  c.protocol_version = creds.protocol_version;
  c.peer = creds.peer;
  c.listener = creds.listener;
  if (c.client_id.empty()) {
    if (!settings_.allow_empty_clientid) return errc::client_id_invalid;
    c.client_id = assign_client_id();
    c.client_id_assigned = true;
  }
  if (c.client_id.size() > settings_.limits.max_clientid_len) return errc::client_id_invalid;
  if (bans_.is_banned(c.client_id, c.username, peer_host(c.peer), unix_ms_now() / 1000)) {
    log::core()->info("connect_refused client={} peer={} reason=banned", c.client_id, c.peer);
    return errc::banned;
  }
  return c;
}

result<client_info> broker_core::authenticated(const credentials& creds, client_info c, errc e) {
  if (e != errc::ok) {
    metrics_.auth_failures.fetch_add(1, std::memory_order_relaxed);
    return e;
  }
  if (settings_.flapping_detect && flapping_.connected(c.client_id, unix_ms_now())) {
    const int64_t now_s = unix_ms_now() / 1000;
    const auto ban_s =
        std::chrono::duration_cast<std::chrono::seconds>(settings_.flapping_ban_time);
    ban_entry ban{"clientid",
                  c.client_id,
                  "flapping",
                  "connected more than " + std::to_string(settings_.flapping_max_count) +
                      " times within " + std::to_string(settings_.flapping_window.count()) + "ms",
                  now_s,
                  now_s + std::max<int64_t>(1, ban_s.count())};
    bans_.add(std::move(ban));
    log::core()->warn("flapping client={} peer={} banned_for={}s", c.client_id, c.peer,
                      ban_s.count());
    return errc::banned;
  }
  std::string mp = creds.mountpoint;
  replace_all(mp, "${clientid}", c.client_id);
  replace_all(mp, "${username}", c.username);
  replace_all(mp, "${endpoint_name}", c.client_id);
  c.mountpoint = std::move(mp);
  return c;
}

result<client_info> broker_core::authenticate(const credentials& creds) {
  auto c = admit(creds);
  if (!c) return c;
  errc e;
  if (authn_)
    e = authn_->check(creds, c.value());
  else  // no source of credentials to check against: allow_anonymous decides for everyone
    e = settings_.allow_anonymous ? errc::ok
        : creds.username          ? errc::bad_credentials
                                  : errc::not_authorized;
  return authenticated(creds, std::move(c).value(), e);
}

void broker_core::authenticate_async(const credentials& creds, authenticate_handler done) {
  auto c = admit(creds);
  if (!c) {
    done(std::move(c));
    return;
  }
  if (!authn_) {
    errc e = settings_.allow_anonymous ? errc::ok
             : creds.username          ? errc::bad_credentials
                                       : errc::not_authorized;
    done(authenticated(creds, std::move(c).value(), e));
    return;
  }
  // The broker outlives every connection and so every pending check.
  authn_->check_async(creds, std::move(c).value(),
                      [this, creds, done = std::move(done)](errc e, client_info ci) {
                        done(authenticated(creds, std::move(ci), e));
                      });
}

bool broker_core::authorize(const client_info& client, action act, std::string_view topic) {
  if (!authz_) return true;
  bool ok = authz_->allow(client, act, topic);
  if (!ok) metrics_.acl_denials.fetch_add(1, std::memory_order_relaxed);
  return ok;
}

result<opened_session> broker_core::open_session(const client_info& client,
                                                 const session_options& options,
                                                 std::shared_ptr<delivery_sink> sink) {
  if (stopping_) return errc::server_unavailable;
  session_options opts = options;
  if (opts.expiry_interval > settings_.limits.max_session_expiry)
    opts.expiry_interval = settings_.limits.max_session_expiry;
  uint16_t window = std::min<uint16_t>(opts.receive_maximum ? opts.receive_maximum : 65535,
                                       settings_.limits.receive_maximum);

  auto shared_client = std::make_shared<const client_info>(client);
  std::shared_ptr<core_session> s;
  std::optional<core_session::detached> old;
  std::shared_ptr<core_session> discarded;
  bool present = false;
  uint64_t gen;
  {
    std::lock_guard lk(registry_mu_);
    auto it = sessions_.find(client.client_id);
    if (it == sessions_.end() && attached_ >= settings_.max_connections) return errc::server_busy;
    if (it != sessions_.end()) {
      s = it->second;
      old = s->detach(0, true);  // take-over: the old connection loses the session
      if (old)
        --attached_;
      else if (attached_ >= settings_.max_connections)
        return errc::server_busy;
      timers_.cancel(s->expiry_timer);
      // A resumed session cancels a pending delayed will [MQTT-3.1.3-9]; a new one does not.
      if (s->will_timer && !opts.clean_start) timers_.cancel(s->will_timer);
      s->expiry_timer = 0;
      // A session with expiry 0 ends with its connection [MQTT-3.1.2-23]: nothing to resume.
      if (opts.clean_start || s->expiry_interval() == 0) {
        discarded = s;
        end_session_locked(s);
        s.reset();
      } else {
        present = true;
      }
    }
    if (!s) {
      s = std::make_shared<core_session>(*this, shared_client, opts.expiry_interval);
      sessions_.emplace(s->client_id(), s);
      metrics_.sessions_current.fetch_add(1, std::memory_order_relaxed);
    }
    gen = s->attach(shared_client, opts, sink, window);
    ++attached_;
    if (opts.expiry_interval > 0) {
      store_.put_session(s->record());
      s->ever_stored = true;
    } else if (s->ever_stored) {
      store_.erase_session(client.client_id);  // resumed, but no longer to be kept
      s->ever_stored = false;
    }
  }
  if (discarded) remove_from_trie(discarded);
  if (old) {
    // The replaced connection's will goes out unless this connection resumes within its
    // delay (MQTT 5 3.1.3.2); the old connection is told why it is closed.
    bool will_now = old->will && (opts.clean_start || old->will->delay_interval == 0);
    if (will_now) publish_will(*old->client, *old->will);
    if (old->sink) old->sink->on_close(close_reason::taken_over);
    for (auto& w : old->waiters) w();
    publish_client_event(*old->client, false, close_reason::taken_over, nullptr);
    log::core()->info("takeover client={} peer={} by={}", client.client_id, old->client->peer,
                      client.peer);
  }
  metrics_.connections_total.fetch_add(1, std::memory_order_relaxed);
  metrics_.connections_current.fetch_add(1, std::memory_order_relaxed);
  publish_client_event(client, true, close_reason::normal, &opts);
  if (s->has_pending()) sink->on_ready();
  return opened_session{std::make_shared<session_handle>(s, gen, std::move(shared_client)),
                        present};
}

// registry_mu_ held. Marks the session ended and forgets it; the caller removes its
// subscriptions from the trie after releasing the registry lock.
void broker_core::end_session_locked(const std::shared_ptr<core_session>& s) {
  if (s->ever_stored) store_.erase_session(s->client_id());
  s->mark_ended();
  timers_.cancel(s->expiry_timer);
  sessions_.erase(s->client_id());
  metrics_.sessions_current.fetch_sub(1, std::memory_order_relaxed);
}

void broker_core::remove_from_trie(const std::shared_ptr<core_session>& s) {
  auto subs = s->subscriptions();
  std::unique_lock lk(trie_mu_);
  for (auto& [full, opts] : subs) {
    errc e;
    auto shared = parse_shared_filter(full, &e);
    if (shared)
      trie_.erase(shared->filter, shared->group, s.get());
    else
      trie_.erase(full, {}, s.get());
  }
  metrics_.subscriptions_current.fetch_sub(static_cast<int64_t>(subs.size()),
                                           std::memory_order_relaxed);
}

void broker_core::close(session& sess, close_reason reason, bool send_will) {
  auto* h = dynamic_cast<session_handle*>(&sess);
  if (!h) return;
  auto s = h->core();
  std::optional<core_session::detached> d;
  bool ended = false;
  {
    std::lock_guard lk(registry_mu_);
    d = s->detach(h->generation(), false);
    if (!d) return;  // stale handle: the session has moved on
    --attached_;
    if (s->expiry_interval() == 0 || stopping_) {
      if (s->expiry_interval() == 0) {
        end_session_locked(s);
        ended = true;
      } else {
        store_.put_session(s->record());
      }
    } else {
      store_.put_session(s->record());
      s->ever_stored = true;
      schedule_expiry(s);
    }
  }
  if (ended) remove_from_trie(s);
  finish_detach(*d, reason, false, send_will, s);
}

void broker_core::finish_detach(core_session::detached& d, close_reason reason, bool close_sink,
                                bool send_will, const std::shared_ptr<core_session>& s) {
  metrics_.connections_current.fetch_sub(1, std::memory_order_relaxed);
  if (close_sink && d.sink) d.sink->on_close(reason);
  for (auto& w : d.waiters) w();
  if (send_will && d.will) {
    uint32_t delay = d.will->delay_interval;
    uint32_t expiry = s->ended() ? 0 : s->expiry_interval();
    if (delay == 0 || expiry == 0 || stopping_) {
      publish_will(*d.client, *d.will);
    } else {
      // Will Delay: published when the delay or the session ends, whichever is first.
      uint32_t wait = std::min(delay, expiry);
      auto weak = std::weak_ptr<core_session>(s);
      client_info c = *d.client;
      will_message w = *d.will;
      s->will_timer = timers_.schedule_after(std::chrono::seconds(wait), [this, weak, c, w] {
        auto live = weak.lock();
        if (live && live->attached()) return;  // resumed in time (timer raced the cancel)
        publish_will(c, w);
      });
    }
  }
  publish_client_event(*d.client, false, reason, nullptr);
}

void broker_core::schedule_expiry(const std::shared_ptr<core_session>& s) {
  uint32_t exp = s->expiry_interval();
  if (exp == session_never_expires) return;
  int64_t since = unix_ms_now() - s->disconnected_at_ms();
  auto wait = std::chrono::milliseconds(std::max<int64_t>(0, int64_t(exp) * 1000 - since));
  std::weak_ptr<core_session> weak = s;
  s->expiry_timer = timers_.schedule_after(wait, [this, weak] {
    auto live = weak.lock();
    if (!live) return;
    {
      std::lock_guard lk(registry_mu_);
      if (live->attached() || live->ended()) return;
      end_session_locked(live);
    }
    remove_from_trie(live);
    log::core()->debug("session_expired client={}", live->client_id());
  });
}

void broker_core::publish_will(const client_info& client, const will_message& w) {
  if (!w.msg) return;
  if (!authorize(client, action::publish, w.msg->topic)) return;
  message_ptr msg = w.msg;
  if (w.message_expiry_interval) {
    message copy = *msg;
    copy.expire_at_ms = unix_ms_now() + int64_t(w.message_expiry_interval) * 1000;
    msg = make_message(std::move(copy));
  }
  auto r = publish(client, msg, {});
  if (!r)
    log::core()->info("will_refused client={} reason={}", client.client_id, r.error().message());
}

std::size_t broker_core::session_count() const {
  std::lock_guard lk(registry_mu_);
  return sessions_.size();
}

std::size_t broker_core::subscription_count() const {
  std::shared_lock lk(trie_mu_);
  return trie_.size();
}

void broker_core::restore(store::loaded_state st) {
  int64_t now = unix_ms_now();
  bans_.restore(st.bans, now / 1000);
  retained_.load(std::move(st.retained));
  metrics_.messages_retained.store(retained_.size());
  std::unordered_map<std::string, std::shared_ptr<core_session>> restored;
  {
    std::lock_guard lk(registry_mu_);
    for (auto& r : st.sessions) {
      bool expired = r.expiry_interval != session_never_expires && r.disconnected_at_ms != 0 &&
                     now - r.disconnected_at_ms >= int64_t(r.expiry_interval) * 1000;
      if (expired || r.expiry_interval == 0) {
        store_.erase_session(r.client_id);
        continue;
      }
      client_info c;
      c.client_id = r.client_id;
      c.username = r.username;
      c.protocol = r.protocol;
      c.mountpoint = r.mountpoint;
      auto s = std::make_shared<core_session>(
          *this, std::make_shared<const client_info>(std::move(c)), r.expiry_interval);
      s->ever_stored = true;
      // A session that was connected when we stopped counts as disconnected now.
      s->restore_disconnected_at(r.disconnected_at_ms ? r.disconnected_at_ms : now);
      sessions_.emplace(s->client_id(), s);
      restored.emplace(r.client_id, s);
      metrics_.sessions_current.fetch_add(1, std::memory_order_relaxed);
    }
  }
  {
    std::unique_lock lk(trie_mu_);
    for (auto& sub : st.subscriptions) {
      auto it = restored.find(sub.client_id);
      if (it == restored.end()) continue;
      it->second->add_subscription(sub.filter, sub.options);
      errc e;
      auto shared = parse_shared_filter(sub.filter, &e);
      subscriber entry{it->second, sub.options};
      if (shared)
        trie_.insert(shared->filter, shared->group, entry);
      else
        trie_.insert(sub.filter, {}, entry);
      metrics_.subscriptions_current.fetch_add(1, std::memory_order_relaxed);
    }
  }
  for (auto& m : st.messages) {
    if (auto it = restored.find(m.client_id); it != restored.end()) it->second->restore_message(m);
  }
  for (auto& q : st.incoming_qos2) {
    if (auto it = restored.find(q.client_id); it != restored.end())
      it->second->restore_incoming_qos2(q.packet_id);
  }
  for (auto& [id, s] : restored) schedule_expiry(s);
  log::core()->info("restored sessions={} subscriptions={} messages={} retained={}",
                    restored.size(), st.subscriptions.size(), st.messages.size(), retained_.size());
}

void broker_core::shutdown() {
  stopping_ = true;
  std::vector<std::pair<std::shared_ptr<core_session>, core_session::detached>> closing;
  {
    std::lock_guard lk(registry_mu_);
    for (auto& [id, s] : sessions_) {
      auto d = s->detach(0, true);
      if (!d) continue;
      --attached_;
      if (s->persistent()) store_.put_session(s->record());
      closing.emplace_back(s, std::move(*d));
    }
  }
  // Wills of connections cut by the shutdown are published, as for any lost connection.
  for (auto& [s, d] : closing) finish_detach(d, close_reason::server_shutdown, true, true, s);
  timers_.stop();
  store_.flush();
}

}  // namespace edgegw::core
