// See gateway_logic.hpp. This file: observers (subscriptions), notifications from the
// session's deliveries, lost observers and the idle / heartbeat timers.
#include "gateway/api/log.hpp"
#include "protocols/coap/gateway/detail/gateway_sink.hpp"
#include "protocols/coap/gateway/gateway_logic.hpp"

namespace edgegw::coap {

response gateway_logic::observe(client& c, const request& req, const request_params& p,
                                const std::string& filter) {
  if (validate_topic_filter(filter, broker_.limits().topics) != errc::ok)
    return fail(400, "bad topic filter");
  if (req.observer.token.empty()) return fail(400, "observe needs a token");
  auto existing = c.observers.find(filter);
  if (existing == c.observers.end()) {
    if (c.observers.size() >= settings_.max_observers_per_client ||
        observer_count_ >= settings_.max_observers)
      return fail(503, "too many observers");
  }
  subscription_request sub;
  sub.filter = filter;
  sub.options.qos = p.qos ? *p.qos : (req.confirmable ? 1 : 0);
  auto out = broker_.subscribe(*c.sess, std::span<const subscription_request>(&sub, 1));
  if (out.empty() || out[0].error != errc::ok) {
    errc e = out.empty() ? errc::unspecified : out[0].error;
    if (e == errc::not_authorized) return fail(403);
    return fail(e == errc::quota_exceeded ? 503 : 400);
  }
  if (existing == c.observers.end()) {
    existing = c.observers.emplace(filter, observer{}).first;
    ++observer_count_;
  } else if (!(existing->second.id == req.observer)) {
    transport_.forget(existing->second.id);
  }
  existing->second.id = req.observer;
  log::get("coap")->debug("observe client={} filter={} qos={}", c.info.client_id, filter,
                          sub.options.qos);
  response r;
  r.code = 205;
  r.observe = existing->second.seq++;
  return r;
}

response gateway_logic::unobserve(client& c, const std::string& filter) {
  remove_observer(c, filter, true);
  return response{205, {}, {}, {}, {}};
}

void gateway_logic::remove_observer(client& c, const std::string& filter, bool unsubscribe) {
  auto it = c.observers.find(filter);
  if (it == c.observers.end()) return;
  transport_.forget(it->second.id);
  c.observers.erase(it);
  --observer_count_;
  if (unsubscribe && c.sess) {
    std::string f = filter;
    broker_.unsubscribe(*c.sess, std::span<const std::string>(&f, 1));
  }
}

void gateway_logic::deliver(const std::string& key, const sink* s) {
  auto it = clients_.find(key);
  if (it == clients_.end() || it->second->snk.get() != s) return;
  client& c = *it->second;
  constexpr std::size_t chunk = 32;
  const auto now_ms = unix_ms_now();
  auto& metrics = broker_.metrics();
  for (;;) {
    batch_.clear();
    std::size_t n = c.sess->pull(batch_, chunk);
    for (auto& d : batch_) {
      const bool reliable = d.qos > 0 && !d.pubrel;
      const uint64_t tag = reliable ? next_tag_ : 0;
      uint32_t cons = 0;
      if (!d.pubrel && !d.msg->expired(now_ms)) {
        auto cf = content_format_of(*d.msg);
        for (auto& [filter, o] : c.observers) {
          if (!topic_matches(filter, d.topic)) continue;
          notification nt;
          nt.payload = d.msg->payload;
          nt.content_format = cf;
          nt.confirmable = settings_.notify == notify_mode::con ||
                           (settings_.notify == notify_mode::qos && d.qos > 0);
          if (!nt.confirmable && ++o.non_in_row >= settings_.con_probe_every) nt.confirmable = true;
          if (nt.confirmable) o.non_in_row = 0;
          nt.seq = o.seq++ & 0xFFFFFF;
          if (reliable && nt.confirmable) {
            nt.tag = tag;
            ++cons;
          } else {
            ++counters_.notifications;
            metrics.messages_sent.fetch_add(1, std::memory_order_relaxed);
            metrics.bytes_sent.fetch_add(d.msg->payload.size(), std::memory_order_relaxed);
          }
          transport_.notify(o.id, nt);
        }
      }
      if (cons > 0) {
        // Acknowledged to the broker when the client has acknowledged every CON.
        ++next_tag_;
        unconfirmed_[tag] = {c.key, c.snk.get(), d.id, d.qos, cons, false, d.msg->payload.size()};
      } else if (d.qos == 1) {  // NON only, or no observer matched: nothing to wait for
        c.sess->acknowledge(d.id, ack_type::puback);
      } else if (d.qos == 2) {
        if (!d.pubrel) c.sess->acknowledge(d.id, ack_type::pubrec);
        c.sess->acknowledge(d.id, ack_type::pubcomp);
      }
    }
    if (n < chunk) break;
  }
}

void gateway_logic::on_con_result(uint64_t tag, bool acknowledged) {
  auto it = unconfirmed_.find(tag);
  if (it == unconfirmed_.end()) return;
  auto& u = it->second;
  if (acknowledged) {
    ++counters_.notifications;
    broker_.metrics().messages_sent.fetch_add(1, std::memory_order_relaxed);
    broker_.metrics().bytes_sent.fetch_add(u.bytes, std::memory_order_relaxed);
  } else {
    u.lost = true;
  }
  if (--u.remaining > 0) return;
  auto c = clients_.find(u.key);
  if (c != clients_.end() && c->second->snk.get() == u.snk && c->second->sess) {
    if (!u.lost) {
      if (u.qos == 1) {
        c->second->sess->acknowledge(u.id, ack_type::puback);
      } else {
        c->second->sess->acknowledge(u.id, ack_type::pubrec);
        c->second->sess->acknowledge(u.id, ack_type::pubcomp);
      }
    } else {
      // Left unacknowledged: the session resends it if it outlives this connection.
      log::get("coap")->debug("delivery_unconfirmed client={} id={}", c->second->info.client_id,
                              u.id);
    }
  }
  unconfirmed_.erase(it);
}

void gateway_logic::on_session_closed(const std::string& key, const sink* s, close_reason reason) {
  auto it = clients_.find(key);
  if (it == clients_.end() || it->second->snk.get() != s) return;
  drop_client(key, reason, false);
}

void gateway_logic::on_nack(const observer_id& id) {
  for (auto& [key, c] : clients_) {
    for (auto& [filter, o] : c->observers) {
      if (!(o.id == id)) continue;
      log::get("coap")->info("observer_lost client={} filter={}", c->info.client_id, filter);
      ++counters_.observers_lost;
      remove_observer(*c, std::string(filter), true);
      return;
    }
  }
}

void gateway_logic::on_transport_gone(uint64_t transport) {
  for (auto& [key, c] : clients_) {
    std::vector<std::string> gone;
    for (auto& [filter, o] : c->observers)
      if (o.id.transport == transport) gone.push_back(filter);
    for (auto& f : gone) remove_observer(*c, f, true);
  }
}

void gateway_logic::tick(clock::time_point now) {
  std::vector<std::pair<std::string, close_reason>> expired;
  for (auto& [key, c] : clients_) {
    auto silent = now - c->last_seen;
    if (!c->token.empty()) {
      if (silent > settings_.heartbeat * 3 / 2)
        expired.emplace_back(key, close_reason::keepalive_timeout);
    } else if (c->observers.empty() && silent > settings_.idle_timeout) {
      expired.emplace_back(key, close_reason::normal);
    }
  }
  for (auto& [key, reason] : expired) drop_client(key, reason, true);
}

}  // namespace edgegw::coap
