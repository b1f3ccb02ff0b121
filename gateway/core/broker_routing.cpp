// broker_core: publish, subscribe, unsubscribe, retained messages and $delayed.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "broker_core.hpp"
#include "gateway/api/log.hpp"

namespace edgegw::core {

namespace {

// One subscriber's merged view of all its subscriptions that matched a message:
// overlapping subscriptions give one delivery at the highest granted QoS.
struct target {
  core_session* session;
  uint8_t qos;
  bool no_local_only;  // every matching subscription has no-local
  bool rap;            // some matching subscription keeps the retain flag
  std::vector<uint32_t> sub_ids;
};

constexpr std::string_view delayed_prefix = "$delayed/";

// How a subscription is keyed in the session and the store: the mounted filter, with its
// $share/<group>/ or $queue/ prefix put back.
std::string stored_filter(const std::optional<shared_filter>& shared, const std::string& mounted) {
  if (!shared) return mounted;
  if (shared->group == "$queue") return "$queue/" + mounted;
  return "$share/" + shared->group + "/" + mounted;
}

}  // namespace

bool broker_core::may_receive(authorizer& a, const client_info& c, std::string_view topic) {
  const auto& mp = c.mountpoint;
  if (!mp.empty()) {
    if (topic.substr(0, mp.size()) != mp) return false;  // outside its mountpoint
    topic.remove_prefix(mp.size());
  }
  return a.may_receive(c, topic);
}

message_ptr broker_core::with_topic(const message_ptr& m, std::string topic) {
  message copy = *m;
  copy.topic = std::move(topic);
  return make_message(std::move(copy));
}

result<publish_outcome> broker_core::publish(const client_info& client, message_ptr msg,
                                             std::function<void()> on_unthrottle) {
  if (!msg) return errc::malformed;
  metrics_.messages_received.fetch_add(1, std::memory_order_relaxed);
  metrics_.messages_received_qos[std::min<uint8_t>(msg->qos, 2)].fetch_add(
      1, std::memory_order_relaxed);
  std::string_view topic = msg->topic;
  if (topic.substr(0, delayed_prefix.size()) == delayed_prefix) {
    errc e = errc::ok;
    if (!schedule_delayed(client, msg, &e)) return e;
    return publish_outcome{};
  }
  if (errc e = validate_topic_name(topic, settings_.limits.topics); e != errc::ok) return e;
  // Clients may not write the broker's own statistics.
  if (topic.substr(0, 5) == "$SYS/" && client.protocol != "internal") return errc::not_authorized;
  if (!authorize(client, action::publish, topic)) return errc::not_authorized;
  // Per-client rates: a publisher that can pause is charged and paused below (its
  // acknowledgement and reading wait); one that cannot, or would rather retry, is refused
  // while it owes.
  std::chrono::nanoseconds rate_wait{0};
  if (rates_.enabled() && client.protocol != "internal" && client.protocol != "bridge") {
    const bool may_wait = static_cast<bool>(on_unthrottle) && !client.refuse_over_rate;
    auto wait = rates_.admit(client.client_id, msg->topic.size() + msg->payload.size(), may_wait,
                             client_rates::clock::now());
    if (!wait) {
      log::core()->debug("rate_limited client={} action=refused", client.client_id);
      return errc::quota_exceeded;
    }
    if (may_wait) rate_wait = *wait;
  }
  if (!client.mountpoint.empty()) msg = with_topic(msg, client.mountpoint + msg->topic);
  if (msg->from_client.empty() && !client.client_id.empty()) {
    message copy = *msg;
    copy.from_client = client.client_id;
    copy.from_protocol = client.protocol;
    msg = make_message(std::move(copy));
  }
  bool durable = false;
  if (msg->retain) {
    if (!settings_.limits.retain_available) return errc::quota_exceeded;
    durable = store_retained(msg);
  }
  std::shared_ptr<publish_hold> hold;
  if (on_unthrottle) {
    hold = std::make_shared<publish_hold>();
    hold->fn = std::move(on_unthrottle);
  }
  if (hold && rate_wait.count() > 0) {
    hold->count.fetch_add(1);
    timers_.schedule_after(std::chrono::ceil<std::chrono::milliseconds>(rate_wait),
                           [hold] { hold->release(); });
    log::core()->debug("rate_limited client={} action=paused wait_us={}", client.client_id,
                       std::chrono::duration_cast<std::chrono::microseconds>(rate_wait).count());
  }
  auto routed = route(msg, hold);
  publish_outcome out;
  out.matched = routed.matched;
  if (hold) {
    // A QoS 1/2 publisher is acknowledged only once what we persisted for it is committed,
    // so a kill -9 cannot lose an acknowledged message for a persistent session.
    if ((routed.persisted || durable) && msg->qos > 0) {
      hold->count.fetch_add(1);
      store_.when_committed([hold] { hold->release(); });
    }
    if (hold->count.load() > 1) {
      out.throttled = true;
    } else {
      hold->fn = nullptr;  // nothing holds it: the caller acknowledges right away
    }
    hold->release();
  }
  return out;
}

bool broker_core::store_retained(const message_ptr& msg) {
  bool sys = msg->topic.compare(0, 5, "$SYS/") == 0;
  bool written = false;
  if (msg->payload.empty()) {
    if (retained_.erase(msg->topic) && !sys) {
      store_.erase_retained(msg->topic);
      written = true;
    }
  } else if (msg->payload.size() > settings_.retained_max_payload) {
    log::core()->info("retain_refused topic={} reason=payload_too_large bytes={}", msg->topic,
                      msg->payload.size());
    return false;
  } else if (!retained_.set(msg, settings_.retained_max_messages)) {
    log::core()->warn("retain_refused topic={} reason=retained_max_messages", msg->topic);
    return false;
  } else if (!sys) {
    // $SYS values are rebuilt every interval: keeping them off disk keeps an idle gateway
    // from writing to flash.
    store_.put_retained(msg);
    written = true;
  }
  metrics_.messages_retained.store(retained_.size(), std::memory_order_relaxed);
  return written;
}

broker_core::route_result broker_core::route(const message_ptr& msg,
                                             const std::shared_ptr<publish_hold>& hold) {
  thread_local std::vector<target> targets;
  targets.clear();
  route_result res;
  std::function<void()> waiter;
  if (hold) waiter = [hold] { hold->release(); };
  // With an ACL loaded, a subscriber receives only what it may read (a wildcard filter
  // granted at SUBSCRIBE may cover topics it is denied).
  authorizer* acl = delivery_filter();
  auto readable = [&](const subscriber& s) {
    return !acl || may_receive(*acl, *s.session->client(), msg->topic);
  };
  std::shared_lock lk(trie_mu_);
  auto add = [&](const subscriber& s) {
    for (auto& t : targets) {
      if (t.session == s.session.get()) {
        t.qos = std::max(t.qos, s.options.qos);
        t.no_local_only = t.no_local_only && s.options.no_local;
        t.rap = t.rap || s.options.retain_as_published;
        if (s.options.subscription_id) t.sub_ids.push_back(s.options.subscription_id);
        return;
      }
    }
    if (!readable(s)) return;
    target t{s.session.get(), s.options.qos, s.options.no_local, s.options.retain_as_published, {}};
    if (s.options.subscription_id) t.sub_ids.push_back(s.options.subscription_id);
    targets.push_back(std::move(t));
  };
  auto pick = [&](shared_group& g) -> const subscriber* {
    auto& m = g.members;
    if (m.empty()) return nullptr;
    std::size_t start;
    switch (settings_.shared_strategy) {
      case share_strategy::random: {
        std::lock_guard rl(rng_mu_);
        start = rng_() % m.size();
        break;
      }
      case share_strategy::hash_clientid:
        start = std::hash<std::string>{}(msg->from_client) % m.size();
        break;
      default:
        start = g.next->fetch_add(1, std::memory_order_relaxed) % m.size();
    }
    // Prefer a connected member; queue for an offline one only when none is connected.
    // Members that may not read the message are passed over.
    const subscriber* offline = nullptr;
    for (std::size_t i = 0; i < m.size(); ++i) {
      auto& cand = m[(start + i) % m.size()];
      if (!readable(cand)) continue;
      if (cand.session->attached()) return &cand;
      if (!offline) offline = &cand;
    }
    return offline;
  };
  trie_.match(msg->topic, add, [&](shared_group& g) {
    if (const subscriber* s = pick(g)) {
      // Shared deliveries are not merged with plain ones: each group gets its copy.
      target t{s->session.get(), s->options.qos, false, s->options.retain_as_published, {}};
      if (s->options.subscription_id) t.sub_ids.push_back(s->options.subscription_id);
      targets.push_back(std::move(t));
    }
  });
  for (auto& t : targets) {
    if (t.no_local_only && t.session->client_id() == msg->from_client) continue;
    uint8_t qos = settings_.upgrade_qos ? t.qos : std::min(t.qos, msg->qos);
    // Retain flag on live deliveries: kept only with Retain As Published [MQTT-3.3.1-12].
    // Count the hold before the session can release it (from a pull on another thread).
    if (hold) hold->count.fetch_add(1);
    auto r = t.session->enqueue(msg, qos, msg->retain && t.rap, std::move(t.sub_ids),
                                hold ? &waiter : nullptr);
    if (hold && !r.throttled) hold->count.fetch_sub(1);
    if (r.queued) ++res.matched;
    res.persisted = res.persisted || r.persisted;
  }
  return res;
}

bool broker_core::schedule_delayed(const client_info& client, const message_ptr& msg, errc* error) {
  // $delayed/<seconds>/<topic>
  std::string_view rest = std::string_view(msg->topic).substr(delayed_prefix.size());
  std::size_t slash = rest.find('/');
  uint32_t secs = 0;
  if (slash == std::string_view::npos || slash == 0 ||
      std::from_chars(rest.data(), rest.data() + slash, secs).ptr != rest.data() + slash ||
      secs > 4294967) {
    *error = errc::topic_name_invalid;
    return false;
  }
  std::string inner(rest.substr(slash + 1));
  if (validate_topic_name(inner, settings_.limits.topics) != errc::ok ||
      inner.compare(0, delayed_prefix.size(), delayed_prefix) == 0) {
    *error = errc::topic_name_invalid;
    return false;
  }
  if (!authorize(client, action::publish, inner)) {
    *error = errc::not_authorized;
    return false;
  }
  if (delayed_count_.load() >= settings_.delayed_max_messages) {
    *error = errc::quota_exceeded;
    return false;
  }
  message copy = *msg;
  copy.topic = client.mountpoint + inner;
  if (copy.from_client.empty()) {
    copy.from_client = client.client_id;
    copy.from_protocol = client.protocol;
  }
  auto delayed = make_message(std::move(copy));
  ++delayed_count_;
  timers_.schedule_after(std::chrono::seconds(secs), [this, delayed] {
    --delayed_count_;
    if (delayed->retain) store_retained(delayed);
    route(delayed, nullptr);
  });
  return true;
}

std::vector<subscribe_outcome> broker_core::subscribe(session& sess,
                                                      std::span<const subscription_request> subs) {
  std::vector<subscribe_outcome> out;
  out.reserve(subs.size());
  auto* h = dynamic_cast<session_handle*>(&sess);
  if (!h || !h->core()->is_current(h->generation())) {
    out.assign(subs.size(), subscribe_outcome{errc::unspecified, 0});
    return out;
  }
  const auto& s = h->core();
  const auto& client = h->client();
  const auto& lim = settings_.limits;
  for (const auto& req : subs) {
    errc e = errc::ok;
    auto shared = parse_shared_filter(req.filter, &e);
    if (e != errc::ok) {
      out.push_back({e, 0});
      continue;
    }
    std::string_view inner =
        shared ? std::string_view(shared->filter) : std::string_view(req.filter);
    if ((e = validate_topic_filter(inner, lim.topics)) != errc::ok) {
      out.push_back({e, 0});
      continue;
    }
    if (shared && !lim.shared_subscription_available) {
      out.push_back({errc::shared_subscriptions_not_supported, 0});
      continue;
    }
    if (shared && req.options.no_local) {  // [MQTT-3.8.3-4]
      out.push_back({errc::protocol_error, 0});
      continue;
    }
    if (!lim.wildcard_subscription_available && has_wildcards(inner)) {
      out.push_back({errc::wildcard_subscriptions_not_supported, 0});
      continue;
    }
    if (req.options.subscription_id && !lim.subscription_identifiers_available) {
      out.push_back({errc::subscription_ids_not_supported, 0});
      continue;
    }
    if (!authorize(client, action::subscribe, inner)) {
      out.push_back({errc::not_authorized, 0});
      continue;
    }
    std::string mounted = client.mountpoint + std::string(inner);
    std::string full = stored_filter(shared, mounted);
    if (lim.max_subscriptions && s->subscription_count() >= lim.max_subscriptions &&
        !s->has_subscription(full)) {
      out.push_back({errc::quota_exceeded, 0});
      continue;
    }
    subscription_options o = req.options;
    o.qos = std::min(o.qos, lim.max_qos);
    bool is_new = s->add_subscription(full, o);
    {
      std::unique_lock lk(trie_mu_);
      trie_.insert(mounted, shared ? shared->group : std::string(), subscriber{s, o});
    }
    if (is_new) metrics_.subscriptions_current.fetch_add(1, std::memory_order_relaxed);
    if (s->persistent()) store_.put_subscription({s->client_id(), full, o});
    out.push_back({errc::ok, o.qos});
    // Retained messages: never for shared subscriptions; per Retain Handling otherwise.
    if (!shared && (o.retain_handling == 0 || (o.retain_handling == 1 && is_new))) {
      authorizer* acl = delivery_filter();
      for (auto& m : retained_.match(mounted)) {
        if (m->expired(unix_ms_now())) continue;
        if (acl && !may_receive(*acl, client, m->topic)) continue;
        std::vector<uint32_t> ids;
        if (o.subscription_id) ids.push_back(o.subscription_id);
        uint8_t qos = settings_.upgrade_qos ? o.qos : std::min(o.qos, m->qos);
        s->enqueue(m, qos, true, std::move(ids), nullptr);
      }
    }
  }
  return out;
}

std::vector<message_ptr> broker_core::retained(const client_info& client, std::string_view filter) {
  std::vector<message_ptr> out;
  auto now = unix_ms_now();
  authorizer* acl = delivery_filter();
  for (auto& m : retained_.match(client.mountpoint + std::string(filter)))
    if (!m->expired(now) && (!acl || may_receive(*acl, client, m->topic)))
      out.push_back(std::move(m));
  return out;
}

std::vector<errc> broker_core::unsubscribe(session& sess, std::span<const std::string> filters) {
  std::vector<errc> out;
  auto* h = dynamic_cast<session_handle*>(&sess);
  if (!h || !h->core()->is_current(h->generation())) {
    out.assign(filters.size(), errc::unspecified);
    return out;
  }
  const auto& s = h->core();
  const auto& mp = h->client().mountpoint;
  for (const auto& f : filters) {
    errc e = errc::ok;
    auto shared = parse_shared_filter(f, &e);
    if (e != errc::ok) {
      out.push_back(e);
      continue;
    }
    std::string mounted = mp + (shared ? shared->filter : f);
    std::string full = stored_filter(shared, mounted);
    if (!s->remove_subscription(full)) {
      out.push_back(errc::no_subscription_existed);
      continue;
    }
    {
      std::unique_lock lk(trie_mu_);
      trie_.erase(mounted, shared ? shared->group : std::string(), s.get());
    }
    metrics_.subscriptions_current.fetch_sub(1, std::memory_order_relaxed);
    if (s->persistent()) store_.erase_subscription(s->client_id(), full);
    out.push_back(errc::ok);
  }
  return out;
}

}  // namespace edgegw::core
