#include "link.hpp"

#include "tls_probe.hpp"

#include <mqtt/async_client.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <future>
#include <stdexcept>

#include "gateway/api/log.hpp"
#include "topic_map.hpp"

namespace edgegw::bridge {

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto l = log::get("bridge");
  return l;
}

constexpr std::size_t max_batch = 256;

}  // namespace

// Hands work from paho's threads to the executor; closed (under its lock) before the paho
// client is destroyed, so nothing is posted to a link that is going away.
struct link::gate {
  std::mutex mu;
  bool open = true;
  boost::asio::io_context& ctx;
  std::weak_ptr<link> owner;
  explicit gate(boost::asio::io_context& c) : ctx(c) {}
  template <class F>
  void post(F&& f) {
    std::lock_guard lk(mu);
    if (!open) return;
    boost::asio::post(ctx, [w = owner, f = std::forward<F>(f)]() mutable {
      if (auto self = w.lock()) f(*self);
    });
  }
  void close() {
    std::lock_guard lk(mu);
    open = false;
  }
};

// paho action listener: runs on paho's threads, forwards to the link.
struct link::listener : mqtt::iaction_listener {
  std::function<void(const mqtt::token&, bool)> fn;
  void on_success(const mqtt::token& t) override { fn(t, true); }
  void on_failure(const mqtt::token& t) override { fn(t, false); }
};

// The local session's sink: every message is taken at routing time into the spool.
struct link::local_sink : delivery_sink {
  std::weak_ptr<link> owner;
  void on_ready() override {}  // nothing is ever queued in the session
  void on_close(close_reason r) override {
    if (auto l = owner.lock()) l->local_closed(r);
  }
  bool take(const message_ptr& msg, uint8_t, bool retain,
            const std::function<void()>* hold) override {
    auto l = owner.lock();
    return l && l->take(msg, retain, hold);
  }
};

link::link(bridge_settings s, broker& b, boost::asio::io_context& ctx, std::string node_name,
           std::chrono::milliseconds sys_interval)
    : s_(std::move(s)),
      broker_(b),
      ctx_(ctx),
      node_(std::move(node_name)),
      sys_interval_(sys_interval),
      gate_(std::make_shared<gate>(ctx)),
      window_(s_.max_inflight),
      backoff_(s_.reconnect_min, s_.reconnect_max),
      retry_timer_(ctx),
      pump_timer_(ctx) {
  local_client_.client_id = "$bridge/" + s_.name;
  sys_client_.client_id = local_client_.client_id;
  sys_client_.protocol = "internal";
}

link::~link() {
  gate_->close();
  client_.reset();  // paho calls nothing of ours after this
}

void link::start() {
  gate_->owner = weak_from_this();
  spool_options so;
  so.dir = s_.spool_dir;
  so.max_bytes = s_.spool_max_bytes;
  so.max_messages = s_.spool_max_messages;
  so.overflow = s_.spool_drop_newest ? overflow_policy::drop_newest : overflow_policy::drop_oldest;
  so.sync = s_.spool_sync == "off"    ? spool_sync::off
            : s_.spool_sync == "full" ? spool_sync::full
                                      : spool_sync::normal;
  so.flush_interval = s_.spool_flush_interval;
  spool_open_report report;
  auto sp = spool::open(so, &report);
  if (!sp)
    throw std::runtime_error("bridge." + s_.name + ": cannot open its spool in " +
                             s_.spool_dir.string() + ": " + sp.error().message());
  spool_ = std::move(sp).value();
  for (const auto& p : report.problems)
    logger()->warn("bridge_spool_problem name={} problem=\"{}\"", s_.name, p);
  auto st = spool_->stats();
  logger()->info(
      "bridge_spool_open name={} dir={} recovered={} corrupt_records={} depth={} bytes={}", s_.name,
      s_.spool_dir.string(), report.recovered, report.corrupt_records, st.depth, st.bytes);
  spool_->set_on_append([this] { post_pump(); });

  // paho: no persistence of its own (the spool is ours), no automatic reconnect (ours has
  // jitter and resends from the spool).
  conn_opts_ = std::make_unique<mqtt::connect_options>();
  auto& o = *conn_opts_;
  o.set_mqtt_version(s_.proto_ver == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1);
  if (s_.proto_ver == 5) {
    o.set_clean_session(false);  // paho refuses the v3 flag on v5
    o.set_clean_start(s_.clean_start);
    mqtt::properties props;
    if (!s_.clean_start)
      props.add(mqtt::property(mqtt::property::SESSION_EXPIRY_INTERVAL,
                               static_cast<int32_t>(s_.session_expiry)));
    o.set_properties(props);
  } else {
    o.set_clean_session(s_.clean_start);
  }
  o.set_keep_alive_interval(static_cast<int>(s_.keepalive.count()));
  o.set_connect_timeout(static_cast<int>(std::max<int64_t>(1, s_.connect_timeout.count() / 1000)));
  if (!s_.username.empty()) o.set_user_name(s_.username);
  if (!s_.password.empty()) o.set_password(s_.password);
  o.set_max_inflight(65535);  // our window decides
  o.set_automatic_reconnect(false);
  if (s_.tls) {
    mqtt::ssl_options ssl;
    if (!s_.cacertfile.empty()) ssl.set_trust_store(s_.cacertfile);
    if (!s_.certfile.empty()) ssl.set_key_store(s_.certfile);
    if (!s_.keyfile.empty()) ssl.set_private_key(s_.keyfile);
    ssl.set_enable_server_cert_auth(s_.verify);
    ssl.set_verify(s_.verify);  // host name check
    // No ssl.set_error_handler(): unsafe in paho.mqtt.cpp 1.2 (see tls_probe.hpp).
    o.set_ssl(std::move(ssl));
  }

  auto g = gate_;
  connect_listener_ = std::make_unique<listener>();
  connect_listener_->fn = [g](const mqtt::token& t, bool ok) {
    auto* ctx = t.get_user_context();
    uint64_t gen = reinterpret_cast<uintptr_t>(ctx);
    if (ok) {
      uint16_t rm = 65535;
      bool present = false;
      try {
        auto rsp = t.get_connect_response();
        present = rsp.is_session_present();
        const auto& props = rsp.get_properties();
        if (props.contains(mqtt::property::RECEIVE_MAXIMUM))
          rm = mqtt::get<uint16_t>(props, mqtt::property::RECEIVE_MAXIMUM);
      } catch (const std::exception&) {
      }
      g->post([gen, rm, present](link& l) { l.on_connected(gen, rm, present); });
    } else {
      int rc = t.get_return_code();
      int reason = static_cast<int>(t.get_reason_code());
      g->post([gen, rc, reason](link& l) { l.on_connect_failed(gen, l.describe(rc, reason)); });
    }
  };
  publish_listener_ = std::make_unique<listener>();
  publish_listener_->fn = [this, g](const mqtt::token& t, bool ok) {
    uint64_t seq = reinterpret_cast<uintptr_t>(t.get_user_context());
    if (ok) {
      bool first;
      {
        std::lock_guard lk(acks_mu_);
        first = acks_.empty();
        acks_.push_back(seq);
      }
      if (first) g->post([](link& l) { l.on_acks(); });
    } else {
      int rc = t.get_return_code();
      int reason = static_cast<int>(t.get_reason_code());
      g->post([seq, rc, reason](link& l) { l.on_publish_failed(seq, rc, reason); });
    }
  };
  subscribe_listener_ = std::make_unique<listener>();
  subscribe_listener_->fn = [g](const mqtt::token& t, bool ok) {
    int rc = t.get_return_code();
    int reason = static_cast<int>(t.get_reason_code());
    std::vector<int> refused;
    try {
      if (ok && t.get_type() == mqtt::token::SUBSCRIBE) {
        auto rsp = t.get_subscribe_response();
        for (auto r : rsp.get_reason_codes())
          if (static_cast<int>(r) >= 0x80) refused.push_back(static_cast<int>(r));
      }
    } catch (const std::exception&) {
    }
    if (ok && refused.empty()) return;
    g->post([rc, reason, refused, ok](link& l) {
      std::string why = ok ? "remote refused a subscription, reason " +
                                 mqtt::exception::reason_code_str(refused.front())
                           : "remote subscribe failed: " + l.describe(rc, reason);
      logger()->warn("bridge_subscribe_failed name={} error=\"{}\"", l.s_.name, why);
      std::lock_guard lk(l.counters_.mu);
      l.counters_.last_error = why;
    });
  };

  open_local();
  publish_sys();
  boost::asio::post(ctx_, [self = shared_from_this()] {
    self->executor_live_.store(true);
    self->connect();
  });
}

void link::open_local() {
  credentials c;
  c.protocol = "bridge";
  c.protocol_version = static_cast<uint8_t>(s_.proto_ver);
  c.client_id = local_client_.client_id;
  c.peer = s_.server;
  c.listener = "bridge:" + s_.name;
  auto info = broker_.authenticate(c);
  if (!info)
    throw std::runtime_error("bridge." + s_.name +
                             ": the local broker refused the bridge: " + info.error().message());
  local_client_ = info.value();
  sink_ = std::make_shared<local_sink>();
  sink_->owner = weak_from_this();
  session_options so;  // clean, ends with the bridge: the spool is what is durable
  auto opened = broker_.open_session(local_client_, so, sink_);
  if (!opened)
    throw std::runtime_error("bridge." + s_.name +
                             ": cannot open its local session: " + opened.error().message());
  session_ = opened.value().session;
  std::vector<subscription_request> subs;
  for (const auto& f : s_.forward) {
    subscription_options o;
    o.qos = 2;                     // the publisher's QoS decides whether its ack waits
    o.no_local = true;             // what came from upstream is not sent back
    o.retain_as_published = true;  // keep the flag; `retain` decides what goes upstream
    o.retain_handling = 2;         // live traffic only
    subs.push_back({f, o});
  }
  auto out = broker_.subscribe(*session_, subs);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].error != errc::ok)
      throw std::runtime_error("bridge." + s_.name + ".forward: local subscription to '" +
                               subs[i].filter +
                               "' refused: " + std::string(to_string(out[i].error)));
  }
}

void link::local_closed(close_reason reason) {
  gate_->post([reason](link& l) {
    if (l.stopping_) return;
    // Taken over by a client using our id, or kicked: take it back.
    logger()->warn("bridge_local_session_closed name={} reason={} action=reopen", l.s_.name,
                   static_cast<int>(reason));
    try {
      l.open_local();
    } catch (const std::exception& e) {
      logger()->error("bridge_local_session_failed name={} error=\"{}\"", l.s_.name, e.what());
    }
  });
}

bool link::take(const message_ptr& msg, bool retain, const std::function<void()>* hold) {
  message copy = *msg;
  copy.topic = apply_prefix(s_.remote_prefix, msg->topic);
  copy.retain = s_.keep_retain && retain;
  // Only a QoS 1/2 publisher has an acknowledgement to hold back until the message is on disk.
  std::function<void()> on_durable;
  if (hold) {
    if (msg->qos > 0) {
      on_durable = *hold;
    } else {
      (*hold)();
    }
  }
  if (spool_->append(make_message(std::move(copy)), std::move(on_durable)) == 0) {
    logger()->debug("bridge_spool_full name={} topic={} action=drop_newest", s_.name, msg->topic);
  }
  return true;
}

// A fresh paho client for every connection attempt: an old one may still hold publishes
// it queued before the connection dropped and would send them first on the new
// connection, ahead of the older messages the spool resends (out of order).
void link::new_client(uint64_t gen) {
  client_.reset();
  // paho queues each publish as a command for its send thread and refuses more than
  // maxBufferedMessages of them (default 100): our window is the limit that matters.
  mqtt::create_options co(s_.proto_ver == 5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1, 65535);
  client_ = std::make_unique<mqtt::async_client>(s_.server_uri, s_.clientid, co, nullptr);
  auto g = gate_;
  client_->set_connection_lost_handler([g, gen](const std::string& cause) {
    g->post([gen, cause](link& l) {
      l.on_lost(gen, cause.empty() ? std::string("connection lost") : "connection lost: " + cause);
    });
  });
  client_->set_disconnected_handler([g, gen](const mqtt::properties&, mqtt::ReasonCode rc) {
    int code = static_cast<int>(rc);
    g->post([gen, code](link& l) {
      l.on_lost(gen,
                "disconnected by the remote, reason " + mqtt::exception::reason_code_str(code));
    });
  });
  const bool v5 = s_.proto_ver == 5;
  const std::string local_prefix = s_.local_prefix;
  const bool keep_retain = s_.keep_retain;
  const std::string from = local_client_.client_id;
  client_->set_message_callback(
      [g, v5, local_prefix, keep_retain, from](mqtt::const_message_ptr m) {
        if (!m) return;
        message msg;
        msg.topic = apply_prefix(local_prefix, m->get_topic());
        msg.payload = m->get_payload_str();
        msg.qos = static_cast<uint8_t>(m->get_qos());
        msg.retain = keep_retain && m->is_retained();
        msg.from_client = from;
        msg.from_protocol = "bridge";
        if (v5) {
          const auto& p = m->get_properties();
          try {
            using mqtt::property;
            if (p.contains(property::PAYLOAD_FORMAT_INDICATOR))
              msg.payload_format = mqtt::get<uint8_t>(p, property::PAYLOAD_FORMAT_INDICATOR);
            if (p.contains(property::CONTENT_TYPE))
              msg.content_type = mqtt::get<std::string>(p, property::CONTENT_TYPE);
            if (p.contains(property::RESPONSE_TOPIC))
              msg.response_topic = mqtt::get<std::string>(p, property::RESPONSE_TOPIC);
            if (p.contains(property::CORRELATION_DATA))
              msg.correlation_data = mqtt::get<std::string>(p, property::CORRELATION_DATA);
            if (p.contains(property::MESSAGE_EXPIRY_INTERVAL)) {
              auto secs = mqtt::get<int32_t>(p, property::MESSAGE_EXPIRY_INTERVAL);
              if (secs > 0)
                msg.expire_at_ms =
                    unix_ms_now() + static_cast<int64_t>(static_cast<uint32_t>(secs)) * 1000;
            }
            for (std::size_t i = 0, n = p.count(property::USER_PROPERTY); i < n; ++i) {
              auto kv = mqtt::get<mqtt::string_pair>(p, property::USER_PROPERTY, i);
              msg.user_properties.push_back({std::get<0>(kv), std::get<1>(kv)});
            }
          } catch (const std::exception&) {
          }
        }
        auto mp = make_message(std::move(msg));
        g->post([mp](link& l) { l.deliver_local(mp); });
      });
}

void link::connect() {
  if (stopping_ || connected_) return;
  ++gen_;
  set_state(link_state::connecting, {});
  logger()->info("bridge_connecting name={} server={} clientid={} proto_ver={}", s_.name, s_.server,
                 s_.clientid, s_.proto_ver);
  try {
    new_client(gen_);
    client_->connect(*conn_opts_, reinterpret_cast<void*>(static_cast<uintptr_t>(gen_)),
                     *connect_listener_);
  } catch (const mqtt::exception& e) {
    on_connect_failed(gen_, e.what());
  }
}

void link::on_connected(uint64_t gen, uint16_t receive_maximum, bool session_present) {
  if (gen != gen_ || stopping_) return;
  connected_ = true;
  connected_at_ = std::chrono::steady_clock::now();
  counters_.connects.fetch_add(1, std::memory_order_relaxed);
  counters_.connected_since_ms.store(unix_ms_now(), std::memory_order_relaxed);
  window_.restart(receive_maximum);
  set_state(link_state::connected, {});
  auto st = spool_->stats();
  logger()->info(
      "bridge_connected name={} server={} session_present={} window={} spool_depth={} "
      "spool_bytes={}",
      s_.name, s_.server, session_present, window_.limit(), st.depth, st.bytes);
  subscribe_remote(gen);
  pump();  // drain at once, not on the next new message
}

void link::subscribe_remote(uint64_t gen) {
  // One SUBSCRIBE per filter: paho.mqtt.cpp 1.2 does not pass per-filter options of a
  // multi-filter subscribe on to the wire, and no-local must be there.
  for (const auto& f : s_.subscribe) {
    mqtt::subscribe_options so;
    // No-local: what we forward is not sent back to us (not allowed on $share filters).
    bool shared = f.rfind("$share/", 0) == 0 || f.rfind("$queue/", 0) == 0;
    so.set_no_local(s_.proto_ver == 5 && !shared);
    so.set_retain_as_published(true);
    try {
      client_->subscribe(f, s_.qos, reinterpret_cast<void*>(static_cast<uintptr_t>(gen)),
                         *subscribe_listener_, so);
    } catch (const mqtt::exception& e) {
      logger()->warn("bridge_subscribe_failed name={} filter={} error=\"{}\"", s_.name, f,
                     e.what());
    }
  }
}

void link::on_connect_failed(uint64_t gen, std::string why) {
  if (gen != gen_ || stopping_) return;
  connected_ = false;
  set_state(link_state::disconnected, why);
  // A generic failure on a TLS link: find out OpenSSL's reason with one handshake of our
  // own (one probe at a time; its answer completes last_error).
  if (s_.tls && !probe_ && why.rfind("connect failed", 0) == 0) {
    tls_probe_settings ps;
    if (split_host_port(s_.server, ps.host, ps.port)) {
      ps.cacertfile = s_.cacertfile;
      ps.certfile = s_.certfile;
      ps.keyfile = s_.keyfile;
      ps.verify = s_.verify;
      ps.timeout = s_.connect_timeout;
      probe_ = start_tls_probe(
          ctx_, std::move(ps), [w = weak_from_this(), gen, why](std::string reason) {
            auto self = w.lock();
            if (!self) return;
            self->probe_.reset();
            if (reason.empty() || self->stopping_ || self->connected_) return;
            if (gen != self->gen_ && self->counters_.state.load() == link_state::connecting)
              return;  // a newer attempt is under way: it will tell
            self->set_state(link_state::disconnected, why + "; TLS: " + reason);
          });
    }
  }
  retry_later();
}

void link::on_lost(uint64_t gen, std::string why) {
  if (gen != gen_ || !connected_ || stopping_) return;
  connected_ = false;
  counters_.connected_since_ms.store(0, std::memory_order_relaxed);
  counters_.inflight.store(0, std::memory_order_relaxed);
  // A connection that stayed up a while ends the back-off: the next attempt is quick.
  auto stable = std::min<std::chrono::milliseconds>(std::chrono::seconds(30), s_.reconnect_max);
  if (std::chrono::steady_clock::now() - connected_at_ >= stable) backoff_.reset();
  set_state(link_state::disconnected, why);
  retry_later();
}

void link::retry_later() {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  auto wait = backoff_.next(u(rng_));
  logger()->info("bridge_reconnect name={} in_ms={} attempt={}", s_.name, wait.count(),
                 backoff_.failures());
  retry_timer_.expires_after(wait);
  retry_timer_.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    if (auto self = w.lock()) self->connect();
  });
}

void link::post_pump() {
  if (pump_posted_.exchange(true)) return;
  gate_->post([](link& l) {
    l.pump_posted_.store(false);
    l.pump();
  });
}

void link::pump() {
  if (!connected_ || stopping_) return;
  const int64_t now = unix_ms_now();
  while (window_.room() > 0) {
    batch_.clear();
    if (spool_->read(window_.cursor(), batch_, std::min(window_.room(), max_batch)) == 0) break;
    for (auto& e : batch_) {
      const message& m = *e.msg;
      window_.sent(e.seq);
      if (m.expired(now)) {  // its v5 Message Expiry passed while spooled
        window_.acked(e.seq);
        spool_->ack(e.seq);
        counters_.dropped.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      mqtt::properties props;
      if (s_.proto_ver == 5) {
        using mqtt::property;
        if (m.payload_format)
          props.add(property(property::PAYLOAD_FORMAT_INDICATOR, *m.payload_format));
        if (m.content_type) props.add(property(property::CONTENT_TYPE, *m.content_type));
        if (m.response_topic) props.add(property(property::RESPONSE_TOPIC, *m.response_topic));
        if (m.correlation_data)
          props.add(property(property::CORRELATION_DATA, *m.correlation_data));
        if (auto left = m.expiry_remaining(now))
          props.add(property(property::MESSAGE_EXPIRY_INTERVAL, static_cast<int32_t>(*left)));
        for (const auto& up : m.user_properties)
          props.add(property(property::USER_PROPERTY, up.key, up.value));
      }
      auto pm = mqtt::message::create(m.topic, m.payload.data(), m.payload.size(), s_.qos, m.retain,
                                      props);
      try {
        client_->publish(pm, reinterpret_cast<void*>(static_cast<uintptr_t>(e.seq)),
                         *publish_listener_);
      } catch (const mqtt::exception& ex) {
        // Not connected any more (the lost callback follows) or a limit of paho's: the
        // message stays next in line; an ack or the retry timer pumps again.
        window_.unsent(e.seq);
        auto now_steady = std::chrono::steady_clock::now();
        if (now_steady - last_publish_error_log_ > std::chrono::seconds(10)) {
          last_publish_error_log_ = now_steady;
          logger()->warn("bridge_publish_error name={} seq={} inflight={} error=\"{}\"", s_.name,
                         e.seq, window_.inflight(), ex.what());
        }
        counters_.inflight.store(window_.inflight(), std::memory_order_relaxed);
        if (window_.inflight() == 0) {
          pump_timer_.expires_after(std::chrono::milliseconds(50));
          pump_timer_.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
            if (auto self = w.lock(); self && !ec) self->pump();
          });
        }
        return;
      }
    }
  }
  counters_.inflight.store(window_.inflight(), std::memory_order_relaxed);
}

void link::on_acks() {
  std::vector<uint64_t> acks;
  {
    std::lock_guard lk(acks_mu_);
    acks.swap(acks_);
  }
  for (uint64_t seq : acks) {
    spool_->ack(seq);
    window_.acked(seq);
  }
  counters_.forwarded.fetch_add(acks.size(), std::memory_order_relaxed);
  pump();
}

void link::on_publish_failed(uint64_t seq, int rc, int reason) {
  // paho also fails the publishes in flight when the connection drops, with reason codes
  // >= 0x80 of its own: only an MQTT 5 PUBACK/PUBREC refusal that sending again cannot
  // fix drops the message. Anything else stays in the spool for the next connection.
  const bool refused = s_.proto_ver == 5 && rc != MQTTASYNC_DISCONNECTED &&
                       (reason == 0x87 || reason == 0x90 || reason == 0x99);
  if (refused) {
    // The remote refused it (not authorized, bad topic, quota): sending it again would not
    // help, so it leaves the spool and is counted as dropped.
    logger()->warn("bridge_publish_refused name={} seq={} reason=\"{}\"", s_.name, seq,
                   mqtt::exception::reason_code_str(reason));
    spool_->ack(seq);
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    window_.acked(seq);
    pump();
    return;
  }
  // Lost with the connection: it stays in the spool and is resent after the reconnect.
  logger()->debug("bridge_publish_failed name={} seq={} rc={}", s_.name, seq, rc);
  window_.acked(seq);
}

void link::deliver_local(message_ptr msg) {
  if (stopping_) return;
  auto r = broker_.publish(local_client_, std::move(msg));
  if (!r) {
    counters_.dropped.fetch_add(1, std::memory_order_relaxed);
    logger()->debug("bridge_local_publish_refused name={} error={}", s_.name, r.error().message());
    return;
  }
  counters_.received.fetch_add(1, std::memory_order_relaxed);
}

std::string link::describe(int rc, int reason) {
  std::string s;
  if (rc >= 1 && rc <= 5 && s_.proto_ver != 5) {
    static const char* const connack[] = {"",
                                          "unacceptable protocol version",
                                          "client identifier rejected",
                                          "server unavailable",
                                          "bad user name or password",
                                          "not authorized"};
    s = std::string("remote refused the connection: ") + connack[rc];
  } else if (s_.proto_ver == 5 && reason >= 0x80) {
    s = "remote refused the connection: " + mqtt::exception::reason_code_str(reason);
  } else {
    s = mqtt::exception::error_str(rc);
    s = (s.empty() ? std::string("connect failed") : "connect failed: " + s) + " (rc " +
        std::to_string(rc) + ")";
  }
  return s;
}

void link::set_state(link_state st, const std::string& error) {
  counters_.state.store(st, std::memory_order_relaxed);
  if (!error.empty()) {
    std::lock_guard lk(counters_.mu);
    counters_.last_error = error;
  }
  auto spool_st = spool_ ? spool_->stats() : spool_stats{};
  if (st != link_state::connected) {
    logger()->info("bridge_state name={} state={} error=\"{}\" spool_depth={} spool_bytes={}",
                   s_.name, to_string(st), error, spool_st.depth, spool_st.bytes);
  }
  publish_sys();
}

bridge_status link::status() const {
  bridge_status b;
  b.name = s_.name;
  b.server = s_.server;
  b.state = counters_.state.load(std::memory_order_relaxed);
  {
    std::lock_guard lk(counters_.mu);
    b.last_error = counters_.last_error;
  }
  b.connected_since_ms = counters_.connected_since_ms.load(std::memory_order_relaxed);
  b.connects = counters_.connects.load(std::memory_order_relaxed);
  b.forwarded = counters_.forwarded.load(std::memory_order_relaxed);
  b.received = counters_.received.load(std::memory_order_relaxed);
  b.inflight = counters_.inflight.load(std::memory_order_relaxed);
  b.dropped = counters_.dropped.load(std::memory_order_relaxed);
  if (spool_) {
    auto st = spool_->stats();
    b.dropped += st.dropped;
    b.spool_depth = st.depth;
    b.spool_bytes = st.bytes;
    b.spool_oldest_age_ms = st.oldest_ms ? std::max<int64_t>(0, unix_ms_now() - st.oldest_ms) : 0;
  }
  return b;
}

void link::publish_sys() {
  if (sys_interval_.count() == 0) return;
  auto b = status();
  const std::string base = "$SYS/brokers/" + node_ + "/bridges/" + s_.name + "/";
  auto pub = [&](const char* leaf, std::string payload) {
    message m;
    m.topic = base + leaf;
    m.payload = std::move(payload);
    m.from_client = sys_client_.client_id;
    (void)broker_.publish(sys_client_, make_message(std::move(m)));  // nobody listening is fine
  };
  auto n = [](auto v) { return std::to_string(v); };
  pub("status", to_string(b.state));
  pub("connected", b.state == link_state::connected ? "true" : "false");
  pub("last_error", b.last_error);
  pub("spool/depth", n(b.spool_depth));
  pub("spool/bytes", n(b.spool_bytes));
  pub("spool/oldest_age_ms", n(b.spool_oldest_age_ms));
  pub("inflight", n(b.inflight));
  pub("forwarded", n(b.forwarded));
  pub("received", n(b.received));
  pub("dropped", n(b.dropped));
}

void link::stop() {
  // Executor state is touched on the executor only: run there, and wait (bounded) when
  // called from another thread.
  if (executor_live_.load() && !ctx_.get_executor().running_in_this_thread() && !ctx_.stopped()) {
    auto done = std::make_shared<std::promise<void>>();
    auto fut = done->get_future();
    boost::asio::post(ctx_, [self = shared_from_this(), done] {
      self->stop_here();
      done->set_value();
    });
    if (fut.wait_for(std::chrono::seconds(5)) == std::future_status::ready) return;
  }
  stop_here();
}

void link::stop_here() {
  if (stopping_) return;
  stopping_ = true;
  retry_timer_.cancel();
  pump_timer_.cancel();
  if (probe_) probe_->cancel();
  probe_.reset();
  counters_.state.store(link_state::stopped, std::memory_order_relaxed);
  if (session_) broker_.close(*session_, close_reason::server_shutdown, false);
  if (client_) {
    try {
      if (connected_) client_->disconnect(std::chrono::milliseconds(200));
    } catch (const mqtt::exception&) {
    }
  }
  gate_->close();  // callbacks still running only find the gate closed
  connected_ = false;
  if (spool_) {
    spool_->flush();
    auto st = spool_->stats();
    logger()->info("bridge_stopped name={} spool_depth={} spool_bytes={}", s_.name, st.depth,
                   st.bytes);
  }
}

}  // namespace edgegw::bridge
