// mqtt::channel: CONNECT → authenticate → open_session → CONNACK, and every refusal on the
// way (MQTT 3.1.1 section 3.1.4, MQTT 5 section 3.1.4).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "protocols/mqtt/adapter/channel.hpp"
#include "protocols/mqtt/adapter/detail/log.hpp"
#include "protocols/mqtt/adapter/detail/reason_map.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt {

namespace {

// The largest packet MQTT can carry; a Maximum Packet Size at or above it says nothing.
constexpr uint32_t protocol_max_packet = 268435460;

close_reason refusal_reason(uint8_t v5) {
  switch (v5) {
    case reason::malformed_packet:
      return close_reason::malformed;
    case reason::bad_user_name_or_password:
    case reason::not_authorized:
    case reason::banned:
    case reason::bad_authentication_method:
      return close_reason::not_authorized;
    case reason::server_busy:
    case reason::quota_exceeded:
      return close_reason::quota_exceeded;
    default:
      return close_reason::protocol_error;
  }
}

}  // namespace

void channel::handle(connect& c) {
  if (phase_ == phase::connected) {
    broker_.metrics().packets_malformed.fetch_add(1, std::memory_order_relaxed);
    close(close_reason::protocol_error, true, reason::protocol_error, "second CONNECT");
    return;
  }
  ver_ = c.ver;
  connecting_id_ = c.client_id;  // for logs until authenticate settles it
  struct forget {
    std::string_view& id;
    ~forget() { id = {}; }
  } forget_id{connecting_id_};
  const broker_limits& lim = broker_.limits();

  if (ver_ == version::v5 && c.props.authentication_method) {
    refuse(reason::bad_authentication_method, "enhanced authentication is not supported");
    return;
  }
  if (client_id_refusal(c) != 0) {  // v3.1 length, v3.1.1 empty without clean session
    refuse(reason::client_identifier_not_valid, "client id rejected");
    return;
  }
  if (c.client_id.empty() && !cfg_->allow_empty_clientid) {
    refuse(reason::client_identifier_not_valid, "empty client id not allowed");
    return;
  }
  if (c.client_id.size() > lim.max_clientid_len) {
    refuse(reason::client_identifier_not_valid, "client id too long");
    return;
  }
  if (c.will_msg) {
    const will& w = *c.will_msg;
    if (validate_topic_name(w.topic, lim.topics) != errc::ok) {
      refuse(reason::topic_name_invalid, "invalid will topic");
      return;
    }
    if (w.qos > lim.max_qos) {
      refuse(reason::qos_not_supported, "will QoS above maximum");
      return;
    }
    if (w.retain && !lim.retain_available) {
      refuse(reason::retain_not_supported, "will retain not available");
      return;
    }
  }

  credentials cr;
  cr.protocol = "mqtt";
  cr.protocol_version = static_cast<uint8_t>(ver_);
  cr.client_id = c.client_id;  // empty: authenticate assigns one
  cr.username = c.username;
  cr.password = c.password;
  cr.peer = peer_;
  cr.listener = cfg_->listener;
  cr.mountpoint = cfg_->mountpoint;
  if (cert_cn_) cr.cert_common_name = *cert_cn_;
  if (link_->authenticates_async()) {
    // The answer may need a remote service: stop reading until on_authenticated.
    authenticating_ = std::make_unique<connect>(std::move(c));
    broker_.authenticate_async(
        cr, [l = link_](result<client_info> r) { l->authenticated(std::move(r)); });
    return;
  }
  connect_authenticated(c, broker_.authenticate(cr));
}

void channel::on_authenticated(result<client_info> r, time_point now) {
  if (!authenticating_) return;
  now_ = now;
  auto c = std::move(authenticating_);
  if (closing_) return;  // timed out or closed meanwhile
  ver_ = c->ver;
  connecting_id_ = c->client_id;
  struct forget {
    std::string_view& id;
    ~forget() { id = {}; }
  } forget_id{connecting_id_};
  connect_authenticated(*c, std::move(r));
  pump(now);
}

void channel::connect_authenticated(connect& c, result<client_info> info) {
  if (!info) {
    errc e = detail::to_errc(info.error());
    refuse(detail::connack_reason(e), to_string(e));
    return;
  }
  const client_info me = std::move(info).value();
  connecting_id_ = me.client_id;
  if (me.client_id.empty()) {
    refuse(reason::client_identifier_not_valid, "no client id assigned");
    return;
  }

  session_options so;
  so.clean_start = c.clean_start;
  std::optional<uint32_t> expiry_override;
  if (ver_ == version::v5) {
    uint32_t asked = c.props.session_expiry_interval.value_or(0);
    so.expiry_interval = std::min(asked, cfg_->max_session_expiry);
    if (so.expiry_interval != asked) expiry_override = so.expiry_interval;
  } else {
    so.expiry_interval =
        c.clean_start ? 0 : std::min(cfg_->session_expiry_interval, cfg_->max_session_expiry);
  }
  session_expiry_ = so.expiry_interval;
  uint16_t client_receive_max =
      ver_ == version::v5 ? c.props.receive_maximum.value_or(65535) : 65535;
  so.receive_maximum =
      std::max<uint16_t>(1, std::min(client_receive_max, cfg_->max_outbound_inflight));
  so.will = make_will(c, me.client_id);
  so.keepalive = c.keep_alive;

  auto opened = broker_.open_session(me, so, link_);
  if (!opened) {
    errc e = detail::to_errc(opened.error());
    refuse(detail::connack_reason(e), to_string(e));
    return;
  }
  session_ = std::move(opened.value().session);
  phase_ = phase::connected;

  // Keepalive: v5 lets the server impose its own (Server Keep Alive); v3 takes the client's.
  uint16_t keepalive = c.keep_alive;
  bool keepalive_changed = false;
  if (ver_ == version::v5) {
    if (cfg_->server_keepalive > 0) {
      keepalive_changed = keepalive != cfg_->server_keepalive;
      keepalive = cfg_->server_keepalive;
    } else if (keepalive > cfg_->max_keepalive) {
      keepalive = cfg_->max_keepalive;
      keepalive_changed = true;
    }
  }
  keepalive_limit_ = std::chrono::milliseconds(
      std::llround(static_cast<double>(keepalive) * 1000.0 * cfg_->keepalive_multiplier));
  last_rx_ = now_;

  if (ver_ == version::v5) {
    client_max_packet_ = c.props.maximum_packet_size.value_or(0);
    const uint16_t aliases =
        std::min(c.props.topic_alias_maximum.value_or(0), cfg_->max_outbound_topic_alias);
    if (aliases > 0) ext().out_aliases.reset(aliases);
  }
  send_connack(c, opened.value().present, keepalive, keepalive_changed, expiry_override);
  ready_ = true;  // a resumed session may have resends queued
  detail::log()->info(
      "connected client={} peer={} proto={} keepalive={} clean_start={} expiry={} "
      "session_present={} listener={}",
      client().client_id, peer_, static_cast<int>(ver_), keepalive, c.clean_start, session_expiry_,
      opened.value().present, cfg_->listener);
}

std::optional<will_message> channel::make_will(connect& c, const std::string& client_id) {
  if (!c.will_msg) return std::nullopt;
  will& w = *c.will_msg;
  message m;
  m.topic = std::move(w.topic);
  m.payload = std::move(w.payload);
  m.qos = w.qos;
  m.retain = w.retain;
  m.from_client = client_id;
  m.from_protocol = "mqtt";
  will_message out;
  if (ver_ == version::v5) {
    m.payload_format = w.props.payload_format_indicator;
    m.content_type = std::move(w.props.content_type);
    m.response_topic = std::move(w.props.response_topic);
    m.correlation_data = std::move(w.props.correlation_data);
    m.user_properties.reserve(w.props.user_properties.size());
    for (auto& [k, v] : w.props.user_properties) {
      m.user_properties.push_back(user_property{std::move(k), std::move(v)});
    }
    // The will's Message Expiry Interval counts from when the will is published: the core
    // applies it then.
    out.message_expiry_interval = w.props.message_expiry_interval.value_or(0);
    out.delay_interval = w.props.will_delay_interval.value_or(0);
  }
  out.msg = make_message(std::move(m));
  return out;
}

void channel::send_connack(const connect& c, bool present, uint16_t keepalive,
                           bool keepalive_changed, std::optional<uint32_t> expiry_override) {
  connack a;
  a.session_present = present;
  a.reason_code = reason::success;
  if (ver_ == version::v5) {
    const broker_limits& lim = broker_.limits();
    properties& p = a.props;
    if (cfg_->max_inflight < 65535) p.receive_maximum = std::max<uint16_t>(1, cfg_->max_inflight);
    if (lim.max_qos < 2) p.maximum_qos = lim.max_qos;
    if (!lim.retain_available) p.retain_available = 0;
    if (cfg_->max_packet_size > 0 && cfg_->max_packet_size < protocol_max_packet) {
      p.maximum_packet_size = cfg_->max_packet_size;
    }
    if (cfg_->max_topic_alias > 0) p.topic_alias_maximum = cfg_->max_topic_alias;
    if (!lim.wildcard_subscription_available) p.wildcard_subscription_available = 0;
    if (!lim.subscription_identifiers_available) p.subscription_identifier_available = 0;
    if (!lim.shared_subscription_available) p.shared_subscription_available = 0;
    if (keepalive_changed) p.server_keep_alive = keepalive;
    if (c.client_id.empty()) p.assigned_client_identifier = client().client_id;
    if (expiry_override) p.session_expiry_interval = *expiry_override;
  }
  send(a);
}

void channel::refuse(uint8_t v5_reason, std::string_view why) {
  closing_ = true;
  close_reason_ = refusal_reason(v5_reason);
  connack a;
  if (ver_ == version::v5) {
    a.reason_code = v5_reason;
  } else if (auto code = detail::connack_v3_code(v5_reason)) {
    a.reason_code = *code;
  } else {
    detail::log()->debug("connect_refused peer={} code=none why=\"{}\"", peer_, why);
    return;  // v3 has no CONNACK for this: just close [MQTT-3.2.2-5]
  }
  send(a);
  detail::log()->info("connect_refused client={} peer={} proto={} code=0x{:02x} why=\"{}\"",
                      connecting_id_, peer_, static_cast<int>(ver_), a.reason_code, why);
}

}  // namespace edgegw::mqtt
