// stomp::channel: the frames of a connected client. SEND publishes, SUBSCRIBE and
// UNSUBSCRIBE keep one MQTT subscription per distinct destination, ACK/NACK settle
// MESSAGE frames, and BEGIN/COMMIT/ABORT hold SENDs, ACKs and NACKs until COMMIT.
#include <spdlog/spdlog.h>

#include <charconv>

#include "protocols/stomp/adapter/channel.hpp"
#include "protocols/stomp/adapter/detail/log.hpp"

namespace edgegw::stomp {

namespace {

std::string_view destination_error(errc e) {
  switch (e) {
    case errc::not_authorized:
      return "not authorized";
    case errc::topic_name_invalid:
      return "invalid destination";
    case errc::topic_filter_invalid:
      return "invalid destination filter";
    case errc::quota_exceeded:
      return "quota exceeded";
    case errc::packet_too_large:
      return "message too large";
    case errc::wildcard_subscriptions_not_supported:
      return "wildcard subscriptions not supported";
    case errc::shared_subscriptions_not_supported:
      return "shared subscriptions not supported";
    default:
      return to_string(e);
  }
}

}  // namespace

bool channel::hold_in_transaction(frame& f) {
  const auto* tx = f.find("transaction");
  if (!tx) return false;
  auto it = transactions_.find(*tx);
  if (it == transactions_.end()) {
    fail("unknown transaction", *tx, &f, close_reason::protocol_error);
    return true;
  }
  if (it->second.size() >= cfg_->max_transaction_frames) {
    fail("transaction too large", "more frames than max_transaction_frames", &f,
         close_reason::quota_exceeded);
    return true;
  }
  send_receipt(f);  // received and held; its effect comes with COMMIT
  it->second.push_back(std::move(f));
  f = frame{};
  return true;
}

bool channel::apply_send(const frame& f) {
  const auto* dest = f.find("destination");
  if (!dest || dest->empty()) {
    fail("missing destination", "SEND needs a destination header", &f,
         close_reason::protocol_error);
    return false;
  }
  message m;
  m.topic = *dest;
  m.payload = f.body;
  m.qos = cfg_->send_qos;
  if (const auto* ct = f.find("content-type")) m.content_type = *ct;
  m.from_client = client_id_;
  m.from_protocol = "stomp";
  auto r = broker_.publish(session_->client(), make_message(std::move(m)), hooks_.on_unthrottle);
  if (!r) {
    const auto e = static_cast<errc>(r.error().value());
    fail(destination_error(e), *dest, &f,
         e == errc::not_authorized ? close_reason::not_authorized : close_reason::protocol_error);
    return false;
  }
  if (r.value().throttled) throttled_ = true;  // stop reading until on_unthrottled
  if (cfg_->counters) cfg_->counters->received.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void channel::handle_subscribe(const frame& f) {
  const auto* dest = f.find("destination");
  if (!dest || dest->empty()) {
    fail("missing destination", "SUBSCRIBE needs a destination header", &f,
         close_reason::protocol_error);
    return;
  }
  const auto* idh = f.find("id");
  if (!idh && protocol_version() != version::v10) {
    fail("missing id", "SUBSCRIBE needs an id header", &f, close_reason::protocol_error);
    return;
  }
  const std::string id = idh ? *idh : *dest;  // 1.0: the destination names it
  ack_mode mode = ack_mode::automatic;
  if (const auto* a = f.find("ack")) {
    if (*a == "client") {
      mode = ack_mode::client;
    } else if (*a == "client-individual" && protocol_version() != version::v10) {
      mode = ack_mode::client_individual;
    } else if (*a != "auto") {
      fail("invalid ack mode", *a, &f, close_reason::protocol_error);
      return;
    }
  }
  if (subs_.count(id)) {
    fail("duplicate subscription id", id, &f, close_reason::protocol_error);
    return;
  }
  if (subs_.size() >= cfg_->max_subscriptions) {
    fail("too many subscriptions", "max_subscriptions reached", &f, close_reason::quota_exceeded);
    return;
  }
  auto& refs = destinations_[*dest];
  if (refs == 0) {
    subscription_request req;
    req.filter = *dest;
    req.options.qos = 1;
    auto out = broker_.subscribe(*session_, std::span<const subscription_request>(&req, 1));
    if (out.empty() || out[0].error != errc::ok) {
      destinations_.erase(*dest);
      const errc e = out.empty() ? errc::unspecified : out[0].error;
      fail(destination_error(e), *dest, &f,
           e == errc::not_authorized ? close_reason::not_authorized : close_reason::protocol_error);
      return;
    }
  }
  ++refs;
  errc shared_error = errc::ok;
  auto shared = parse_shared_filter(*dest, &shared_error);
  subs_.emplace(id, subscription{*dest, mode, shared ? shared->filter : *dest});
  detail::log()->debug("subscribe client={} id={} destination={}", client_id_, id, *dest);
  send_receipt(f);
}

void channel::handle_unsubscribe(const frame& f) {
  const std::string* id = f.find("id");
  if (!id && protocol_version() == version::v10) id = f.find("destination");
  if (!id) {
    fail("missing id", "UNSUBSCRIBE needs an id header", &f, close_reason::protocol_error);
    return;
  }
  auto it = subs_.find(*id);
  if (it == subs_.end()) {
    fail("unknown subscription", *id, &f, close_reason::protocol_error);
    return;
  }
  const std::string dest = it->second.destination;
  drop_subscription_unacked(*id);
  subs_.erase(it);
  auto d = destinations_.find(dest);
  if (d != destinations_.end() && --d->second == 0) {
    destinations_.erase(d);
    std::string filter = dest;
    broker_.unsubscribe(*session_, std::span<const std::string>(&filter, 1));
  }
  send_receipt(f);
}

bool channel::apply_ack(const frame& f, bool positive) {
  // 1.2: the MESSAGE's ack header comes back as id; 1.0 and 1.1 send message-id.
  const std::string* idh = protocol_version() == version::v12 ? f.find("id") : f.find("message-id");
  if (!idh && protocol_version() == version::v12) idh = f.find("message-id");
  uint64_t mid = 0;
  if (idh) {
    auto [p, ec] = std::from_chars(idh->data(), idh->data() + idh->size(), mid);
    if (ec != std::errc() || p != idh->data() + idh->size()) mid = 0;
  }
  auto it = mid ? unacked_.find(mid) : unacked_.end();
  if (it == unacked_.end()) {
    fail(positive ? "unknown ACK id" : "unknown NACK id", idh ? *idh : "no id header", &f,
         close_reason::protocol_error);
    return false;
  }
  const std::string sub = it->second.subscription;
  auto s = subs_.find(sub);
  const bool cumulative = s != subs_.end() && s->second.mode == ack_mode::client;
  // The messages this frame settles: itself, and in client mode every earlier one of the
  // same subscription.
  std::vector<uint64_t> ids;
  if (cumulative) {
    for (auto j = unacked_.begin(); j != std::next(it); ++j)
      if (j->second.subscription == sub) ids.push_back(j->first);
  } else {
    ids.push_back(mid);
  }
  for (uint64_t id : ids) {
    auto node = unacked_.extract(id);
    unacked_message& u = node.mapped();
    if (positive || s == subs_.end() || u.redeliveries >= cfg_->max_redeliveries) {
      if (!positive && s != subs_.end()) {
        broker_.metrics().messages_dropped.fetch_add(1, std::memory_order_relaxed);
        if (cfg_->counters) cfg_->counters->dropped.fetch_add(1, std::memory_order_relaxed);
        detail::log()->debug("redelivery_limit client={} subscription={} message_id={}", client_id_,
                             sub, id);
      }
      settle(u);
    } else {
      send_message(u.held, sub, s->second.mode, u.redeliveries + 1);
      settle(u);  // the new MESSAGE holds the delivery now
    }
  }
  return true;
}

void channel::handle_begin(const frame& f) {
  const auto* tx = f.find("transaction");
  if (!tx) {
    fail("missing transaction", "BEGIN needs a transaction header", &f,
         close_reason::protocol_error);
    return;
  }
  if (transactions_.count(*tx)) {
    fail("transaction already begun", *tx, &f, close_reason::protocol_error);
    return;
  }
  if (transactions_.size() >= cfg_->max_transactions) {
    fail("too many transactions", "max_transactions reached", &f, close_reason::quota_exceeded);
    return;
  }
  transactions_.emplace(*tx, std::vector<frame>{});
  send_receipt(f);
}

void channel::handle_commit(const frame& f) {
  const auto* tx = f.find("transaction");
  auto it = tx ? transactions_.find(*tx) : transactions_.end();
  if (it == transactions_.end()) {
    fail("unknown transaction", tx ? *tx : "COMMIT needs a transaction header", &f,
         close_reason::protocol_error);
    return;
  }
  auto frames = std::move(it->second);
  transactions_.erase(it);
  for (const auto& held : frames) {
    bool ok = held.command == "SEND" ? apply_send(held) : apply_ack(held, held.command == "ACK");
    if (!ok || closing_) return;
  }
  send_receipt(f);
}

void channel::handle_abort(const frame& f) {
  const auto* tx = f.find("transaction");
  if (!tx || transactions_.erase(*tx) == 0) {
    fail("unknown transaction", tx ? *tx : "ABORT needs a transaction header", &f,
         close_reason::protocol_error);
    return;
  }
  send_receipt(f);
}

}  // namespace edgegw::stomp
