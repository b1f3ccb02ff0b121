// mqtt::channel: deliveries to the client. pump() pulls from the session while the output
// is below its high-water mark and encodes each PUBLISH straight from the shared message
// (encode_publish: no payload copy), with v5 topic aliases, subscription identifiers and
// the remaining message expiry, dropping what the client's Maximum Packet Size forbids.
// v3 connections also resend unacknowledged QoS 1/2 every retry_interval.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "protocols/mqtt/adapter/channel.hpp"
#include "protocols/mqtt/adapter/detail/log.hpp"
#include "protocols/mqtt/codec/reason_codes.hpp"

namespace edgegw::mqtt {

namespace {
// Scratch properties for outbound v5 PUBLISH, one per thread: encoding is synchronous, so
// connections need not carry ~500 bytes each for it.
properties& scratch_props() {
  thread_local properties p;
  return p;
}
}  // namespace

bool channel::retry_active() const noexcept {
  return ver_ != version::v5 && cfg_->retry_interval.count() > 0;
}

void channel::pump(time_point now) {
  now_ = now;
  if (phase_ != phase::connected || closing_ || !session_) return;
  const std::size_t high_water = cfg_->write_high_water;
  const std::size_t want = std::max<std::size_t>(1, cfg_->pull_batch);
  while (out_.size() < high_water) {
    if (batch_pos_ < batch_.size()) {
      send_delivery(batch_[batch_pos_++]);
      continue;
    }
    batch_.clear();
    batch_pos_ = 0;
    if (!ready_) break;
    std::size_t n = session_->pull(batch_, want);
    // Fewer than asked: the session calls on_ready again when it has more.
    if (n < want) ready_ = false;
    if (n == 0) break;
  }
  if (batch_pos_ >= batch_.size()) {
    batch_.clear();  // drop the message references now, not at the next pull
    batch_pos_ = 0;
    if (!ready_) std::vector<delivery>().swap(batch_);  // idle again: give the room back
  }
}

void channel::send_delivery(const delivery& d) {
  auto& metrics = broker_.metrics();
  if (d.pubrel) {
    pub_response rel;
    rel.type = packet_type::pubrel;
    rel.packet_id = d.id;
    send(rel);
    if (retry_active()) ext().retry.sent(d, now_);
    return;
  }
  const int64_t wall = link_->wall_clock_ms();
  if (d.msg->expired(wall)) {  // e.g. a resend of a message that expired while queued
    complete_unsent(d);
    metrics.messages_expired.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  publish_view v;
  v.dup = d.dup;
  v.qos = d.qos;
  v.retain = d.retain;
  v.topic = d.topic;
  v.packet_id = d.id;
  v.payload = d.msg->payload;
  bool new_alias = false;
  if (ver_ == version::v5) {
    fill_props(d, wall);
    if (extras_ && extras_->out_aliases.capacity() > 0) {
      auto& out_aliases = extras_->out_aliases;
      if (auto a = out_aliases.find(d.topic)) {
        scratch_props().topic_alias = *a;
        v.topic = {};
      } else {
        scratch_props().topic_alias = out_aliases.next();
        new_alias = true;
      }
    }
    v.props = &scratch_props();
  }
  std::size_t size = encoded_publish_size(v, ver_);
  if (new_alias && client_max_packet_ != 0 && size > client_max_packet_) {
    // Announcing an alias costs 3 bytes: try without one before giving up.
    scratch_props().topic_alias.reset();
    new_alias = false;
    size = encoded_publish_size(v, ver_);
  }
  if (size == 0 || (client_max_packet_ != 0 && size > client_max_packet_)) {
    // [MQTT-3.1.2-25]: discard what the client cannot take, as if it had been delivered.
    complete_unsent(d);
    metrics.messages_dropped.fetch_add(1, std::memory_order_relaxed);
    detail::log()->debug("delivery_dropped client={} peer={} topic={} size={} max_packet_size={}",
                         client().client_id, peer_, d.topic, size, client_max_packet_);
    return;
  }
  if (new_alias) extras_->out_aliases.commit(d.topic);
  std::size_t n = encode_publish(v, ver_, out_);
  metrics.bytes_sent.fetch_add(n, std::memory_order_relaxed);
  if (d.qos > 0 && retry_active()) ext().retry.sent(d, now_);
}

void channel::fill_props(const delivery& d, int64_t wall_ms) {
  const message& m = *d.msg;
  properties& p = scratch_props();
  p.payload_format_indicator = m.payload_format;
  p.message_expiry_interval = m.expiry_remaining(wall_ms);
  p.content_type = m.content_type;
  p.response_topic = m.response_topic;
  p.correlation_data = m.correlation_data;
  p.topic_alias.reset();
  p.subscription_identifiers.clear();
  for (uint32_t id : d.subscription_ids) {
    if (id != 0) p.subscription_identifiers.push_back(id);
  }
  p.user_properties.resize(m.user_properties.size());
  for (std::size_t i = 0; i < m.user_properties.size(); ++i) {
    p.user_properties[i].first = m.user_properties[i].key;
    p.user_properties[i].second = m.user_properties[i].value;
  }
}

void channel::resend(const delivery& d) {
  if (d.pubrel) {
    pub_response rel;
    rel.type = packet_type::pubrel;
    rel.packet_id = d.id;
    send(rel);
    return;
  }
  publish_view v;
  v.dup = true;
  v.qos = d.qos;
  v.retain = d.retain;
  v.topic = d.topic;
  v.packet_id = d.id;
  v.payload = d.msg->payload;
  std::size_t n = encode_publish(v, ver_, out_);
  broker_.metrics().bytes_sent.fetch_add(n, std::memory_order_relaxed);
  detail::log()->debug("resend client={} peer={} id={}", client().client_id, peer_, d.id);
}

void channel::complete_unsent(const delivery& d) {
  if (d.qos == 1) {
    session_->acknowledge(d.id, ack_type::puback, reason::success);
  } else if (d.qos == 2) {
    // A refusing PUBREC ends the QoS 2 flow without a PUBREL/PUBCOMP round.
    session_->acknowledge(d.id, ack_type::pubrec, reason::unspecified_error);
  }
}

}  // namespace edgegw::mqtt
