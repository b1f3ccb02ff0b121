// See gateway.hpp.
#include "gateway.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <optional>
#include <tuple>
#include <type_traits>

#include "protocols/mqttsn/adapter/detail/log.hpp"
#include "protocols/mqttsn/codec/codec.hpp"

namespace edgegw::mqttsn {

namespace {

std::string endpoint_text(const boost::asio::ip::udp::endpoint& ep) {
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

// Messages only a connected client sends: from an unknown address they earn a DISCONNECT.
bool needs_connection(msg_type t) {
  switch (t) {
    case msg_type::publish:
    case msg_type::reg:
    case msg_type::subscribe:
    case msg_type::unsubscribe:
    case msg_type::pingreq:
    case msg_type::willtopicupd:
    case msg_type::willmsgupd:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool peer_address::operator==(const peer_address& o) const {
  return ep == o.ep && forwarded == o.forwarded && node_id == o.node_id;
}

std::size_t peer_address_hash::operator()(const peer_address& a) const noexcept {
  std::size_t h = a.ep.port();
  const auto addr = a.ep.address();
  if (addr.is_v4()) {
    h = h * 1000003u ^ addr.to_v4().to_uint();
  } else {
    for (auto b : addr.to_v6().to_bytes()) h = h * 131u + b;
  }
  if (a.forwarded) h ^= std::hash<std::string>{}(a.node_id) * 31u + 1u;
  return h;
}

std::string peer_address::str() const {
  std::string s = endpoint_text(ep);
  if (forwarded) {
    static const char* hex = "0123456789abcdef";
    s += "/node=";
    for (unsigned char c : node_id) {
      s += hex[c >> 4];
      s += hex[c & 0x0F];
    }
  }
  return s;
}

gateway::gateway(std::shared_ptr<const settings> cfg, broker& b, channel::hooks h,
                 gateway_stats& stats)
    : cfg_(std::move(cfg)),
      broker_(b),
      hooks_(std::move(h)),
      stats_(stats),
      log_(detail::logger()) {}

gateway::~gateway() {
  // Channels close their sessions (as lost connections) in their destructors.
  by_addr_.clear();
}

void gateway::malformed(const peer_address& from, const char* why) {
  stats_.malformed.fetch_add(1, std::memory_order_relaxed);
  broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
  log_->debug("malformed peer={} reason=\"{}\"", from.str(), why ? why : "");
}

void gateway::on_datagram(std::span<const uint8_t> bytes,
                          const boost::asio::ip::udp::endpoint& from, time_point now) {
  stats_.datagrams_received.fetch_add(1, std::memory_order_relaxed);
  stats_.bytes_received.fetch_add(bytes.size(), std::memory_order_relaxed);
  broker_.metrics().bytes_received.fetch_add(bytes.size(), std::memory_order_relaxed);
  peer_address src{from, false, {}, 0};
  if (bytes.size() > cfg_->max_datagram) {
    malformed(src, "datagram too large");
    return;
  }
  packet p;
  auto r = decode(bytes, p);
  if (r.status != decode_status::ok) {
    malformed(src, r.error);
    return;
  }
  if (auto* e = std::get_if<encapsulated>(&p)) {
    src.forwarded = true;
    src.node_id = std::move(e->node_id);
    src.ctrl = e->ctrl;
    std::string inner = std::move(e->inner);
    packet q;
    auto ri = decode(std::span(reinterpret_cast<const uint8_t*>(inner.data()), inner.size()), q);
    if (ri.status != decode_status::ok || std::holds_alternative<encapsulated>(q)) {
      malformed(src, ri.status != decode_status::ok ? ri.error : "nested encapsulation");
      return;
    }
    handle(src, q, now);
    return;
  }
  handle(src, p, now);
}

void gateway::handle(const peer_address& from, packet& p, time_point now) {
  const msg_type t = type_of(p);
  if (t == msg_type::searchgw) {
    // Answer to the sender's own address (a unicast reply instead of a broadcast).
    reply(from, gwinfo{cfg_->gateway_id, {}});
    return;
  }
  if (t == msg_type::advertise || t == msg_type::gwinfo) return;  // other gateways
  if (t == msg_type::connect) {
    on_connect(from, p, now);
    return;
  }
  if (auto* pub = std::get_if<publish>(&p); pub && pub->f.qos < 0) {
    on_qos_m1(from, *pub);
    return;
  }
  channel* c = at(from);
  if (!c) {
    // A sleeping client waking up from a new address names itself in PINGREQ.
    if (auto* ping = std::get_if<pingreq>(&p); ping && !ping->client_id.empty()) {
      auto it = by_id_.find(ping->client_id);
      if (it != by_id_.end()) {
        c = by_serial(it->second);
        if (c) move_client(*c, from);
      }
    }
  }
  if (!c) {
    stats_.unknown_client.fetch_add(1, std::memory_order_relaxed);
    if (needs_connection(t)) reply(from, disconnect{});
    return;
  }
  c->on_packet(p, now);
  after(*c);
}

void gateway::on_connect(const peer_address& from, packet& p, time_point now) {
  const std::string id = std::get<connect>(p).client_id;
  channel* c = at(from);
  if (c && c->client_id() != id) {
    // Another client at this address: the previous one is gone.
    log_->info("replaced client={} peer={} by={}", c->client_id(), from.str(), id);
    erase(c->serial());
    c = nullptr;
  }
  if (!c && !id.empty()) {
    auto it = by_id_.find(id);
    if (it != by_id_.end()) {
      if (channel* old = by_serial(it->second)) {
        stats_.takeovers.fetch_add(1, std::memory_order_relaxed);
        log_->info("address_changed client={} from={} to={}", id, old->peer(), from.str());
        move_client(*old, from);
        c = old;
      }
    }
  }
  if (!c) {
    if (by_addr_.size() >= cfg_->max_clients) {
      log_->warn("connect_refused client={} peer={} reason=max_clients", id, from.str());
      stats_.connects_refused.fetch_add(1, std::memory_order_relaxed);
      reply(from, connack{return_code::congestion});
      return;
    }
    const uint64_t serial = next_serial_++;
    auto ch = std::make_unique<channel>(serial, cfg_, broker_, hooks_, stats_, from.str(), now);
    c = ch.get();
    by_addr_.emplace(from, std::move(ch));
    addr_of_.emplace(serial, from);
  }
  c->on_packet(p, now);
  if (!c->ended() && !c->client_id().empty()) by_id_[c->client_id()] = c->serial();
  after(*c);
}

void gateway::on_qos_m1(const peer_address& from, publish& p) {
  std::string topic;
  if (p.f.id_type == topic_id_type::predefined) {
    auto it = cfg_->predefined.find(p.topic_id);
    if (it != cfg_->predefined.end()) topic = it->second;
  } else if (p.f.id_type == topic_id_type::short_name) {
    topic = short_topic_name(p.topic_id);
  }
  if (topic.empty()) {  // QoS -1 needs a topic id every gateway knows
    stats_.messages_rejected.fetch_add(1, std::memory_order_relaxed);
    log_->debug("qos_m1_refused peer={} topic_id={} reason=unknown_topic_id", from.str(),
                p.topic_id);
    return;
  }
  const client_info* who = nullptr;
  client_info sender;  // the shared QoS -1 client as this sender: ACL address rules see it
  if (channel* c = at(from)) who = c->client();
  if (!who) {
    if (!anonymous_) {
      if (anonymous_pending_) {
        // Asked once; what arrives meanwhile is dropped (see gateway.hpp).
        stats_.messages_dropped.fetch_add(1, std::memory_order_relaxed);
        log_->debug("qos_m1_dropped peer={} reason=authenticating", from.str());
        return;
      }
      credentials cr;
      cr.protocol = "mqttsn";
      cr.protocol_version = 1;
      cr.client_id = "mqttsn-qos-1";
      cr.peer = from.str();
      cr.listener = cfg_->listener;
      cr.mountpoint = cfg_->mountpoint;
      std::optional<result<client_info>> info;
      if (hooks_.make_auth_done) {
        // An answer given inline (no remote source was asked) serves this publish; a later
        // one is posted to on_authenticated. Whichever side comes second acts.
        struct race {
          std::atomic<int> phase{0};  // 1: the call returned, 2: the answer is in
          std::optional<result<client_info>> r;
        };
        auto st = std::make_shared<race>();
        broker_.authenticate_async(
            cr, [st, later = hooks_.make_auth_done(qos_m1_serial, 0)](result<client_info> r) {
              st->r = std::move(r);
              if (st->phase.exchange(2) == 1) later(std::move(*st->r));
            });
        if (st->phase.exchange(1) != 2) {
          anonymous_pending_ = true;
          stats_.messages_dropped.fetch_add(1, std::memory_order_relaxed);
          log_->debug("qos_m1_dropped peer={} reason=authenticating", from.str());
          return;
        }
        info = std::move(st->r);
      } else {
        info = broker_.authenticate(cr);
      }
      if (!*info) {
        stats_.messages_rejected.fetch_add(1, std::memory_order_relaxed);
        log_->info("qos_m1_refused peer={} reason=authenticate", from.str());
        return;
      }
      anonymous_ = std::move(*info).value();
    }
    sender = *anonymous_;
    sender.peer = from.str();
    who = &sender;
  }
  message m;
  m.topic = std::move(topic);
  m.payload = std::move(p.data);
  m.retain = p.f.retain;
  m.from_client = who->client_id;
  m.from_protocol = who->protocol;
  auto r = broker_.publish(*who, make_message(std::move(m)));
  if (!r) {
    stats_.messages_rejected.fetch_add(1, std::memory_order_relaxed);
    log_->info("qos_m1_refused peer={} error={}", from.str(),
               to_string(static_cast<errc>(r.error().value())));
    return;
  }
  stats_.messages_received.fetch_add(1, std::memory_order_relaxed);
  stats_.messages_qos_m1.fetch_add(1, std::memory_order_relaxed);
}

channel* gateway::at(const peer_address& a) {
  auto it = by_addr_.find(a);
  return it == by_addr_.end() ? nullptr : it->second.get();
}

channel* gateway::by_serial(uint64_t serial) {
  auto it = addr_of_.find(serial);
  return it == addr_of_.end() ? nullptr : at(it->second);
}

const channel* gateway::find_client(const std::string& client_id) const {
  auto it = by_id_.find(client_id);
  if (it == by_id_.end()) return nullptr;
  auto a = addr_of_.find(it->second);
  if (a == addr_of_.end()) return nullptr;
  auto c = by_addr_.find(a->second);
  return c == by_addr_.end() ? nullptr : c->second.get();
}

void gateway::move_client(channel& c, const peer_address& to) {
  const uint64_t serial = c.serial();
  if (channel* there = at(to); there && there != &c) erase(there->serial());
  auto node = by_addr_.extract(addr_of_.at(serial));
  node.key() = to;
  by_addr_.insert(std::move(node));
  addr_of_[serial] = to;
  c.set_peer(to.str());
}

void gateway::emit(const peer_address& to, std::string bytes) {
  if (to.forwarded) {
    std::string wrapped;
    if (encode(encapsulated{to.ctrl, to.node_id, std::move(bytes)}, wrapped) == 0) return;
    bytes = std::move(wrapped);
  }
  stats_.datagrams_sent.fetch_add(1, std::memory_order_relaxed);
  stats_.bytes_sent.fetch_add(bytes.size(), std::memory_order_relaxed);
  broker_.metrics().bytes_sent.fetch_add(bytes.size(), std::memory_order_relaxed);
  out_.push_back({to.ep, std::move(bytes)});
}

void gateway::reply(const peer_address& to, const packet& p) {
  std::string d;
  if (encode(p, d) > 0) emit(to, std::move(d));
}

void gateway::after(channel& c) {
  const uint64_t serial = c.serial();
  auto a = addr_of_.find(serial);
  if (a != addr_of_.end()) {
    for (auto& d : c.output()) emit(a->second, std::move(d));
  }
  c.output().clear();
  if (c.ended()) {
    erase(serial);
    return;
  }
  auto next = c.next_deadline();
  auto s = scheduled_.find(serial);
  if (s != scheduled_.end()) {
    // A deadline that moved later (the keepalive, after every message) keeps the earlier
    // wake-up: the channel's on_tick then finds nothing due and is rescheduled. Saves a
    // timer update per datagram.
    if (next && s->second <= *next) return;
    timers_.erase({s->second, serial});
    scheduled_.erase(s);
  }
  if (next) {
    timers_.insert({*next, serial});
    scheduled_.emplace(serial, *next);
  }
}

void gateway::erase(uint64_t serial) {
  if (auto s = scheduled_.find(serial); s != scheduled_.end()) {
    timers_.erase({s->second, serial});
    scheduled_.erase(s);
  }
  auto a = addr_of_.find(serial);
  if (a == addr_of_.end()) return;
  auto node = by_addr_.extract(a->second);
  addr_of_.erase(a);
  if (!node) return;
  std::unique_ptr<channel> c = std::move(node.mapped());
  if (auto i = by_id_.find(c->client_id()); i != by_id_.end() && i->second == serial)
    by_id_.erase(i);
  // Output produced while ending (none is expected) is dropped with the channel.
}

void gateway::on_deliveries_ready(uint64_t serial, uint64_t generation, time_point now) {
  if (channel* c = by_serial(serial)) {
    c->on_deliveries_ready(generation, now);
    after(*c);
  }
}

void gateway::on_session_closed(uint64_t serial, uint64_t generation, close_reason r,
                                time_point now) {
  if (channel* c = by_serial(serial)) {
    c->on_session_closed(generation, r, now);
    after(*c);
  }
}

void gateway::on_unthrottled(uint64_t serial, uint64_t generation, time_point now) {
  if (channel* c = by_serial(serial)) {
    c->on_unthrottled(generation, now);
    after(*c);
  }
}

void gateway::on_authenticated(uint64_t serial, uint64_t attempt, result<client_info> r,
                               time_point now) {
  if (serial == qos_m1_serial) {
    anonymous_pending_ = false;
    if (r) {
      anonymous_ = std::move(r).value();
      log_->info("qos_m1_authenticated client={}", anonymous_->client_id);
    } else {
      // The next QoS -1 publish asks again (a hook's answer is then usually cached).
      log_->info("qos_m1_refused reason=authenticate error={}",
                 to_string(static_cast<errc>(r.error().value())));
    }
    return;
  }
  channel* c = by_serial(serial);
  if (!c) return;  // gone meanwhile: the answer is dropped
  c->on_authenticated(attempt, std::move(r), now);
  // The broker may have assigned the client id.
  if (!c->ended() && !c->client_id().empty()) by_id_[c->client_id()] = serial;
  after(*c);
}

void gateway::on_tick(time_point now) {
  // One pass over what is due now: a channel rescheduled at or before `now` waits for the
  // next tick instead of looping here.
  std::vector<uint64_t> due;
  while (!timers_.empty() && timers_.begin()->first <= now) {
    due.push_back(timers_.begin()->second);
    scheduled_.erase(timers_.begin()->second);
    timers_.erase(timers_.begin());
  }
  for (uint64_t serial : due) {
    if (channel* c = by_serial(serial)) {
      c->on_tick(now);
      after(*c);
    }
  }
}

std::optional<gateway::time_point> gateway::next_deadline() const {
  if (timers_.empty()) return std::nullopt;
  return timers_.begin()->first;
}

std::string gateway::advertise_datagram(uint16_t duration) const {
  std::string d;
  encode(advertise{cfg_->gateway_id, duration}, d);
  return d;
}

void gateway::shutdown() {
  for (auto& [addr, c] : by_addr_) c->shutdown();
  timers_.clear();
  scheduled_.clear();
  by_id_.clear();
  addr_of_.clear();
  by_addr_.clear();
  out_.clear();
}

}  // namespace edgegw::mqttsn
