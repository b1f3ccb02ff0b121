// stomp::channel: deliveries to the client. pump() pulls from the broker session while the
// output is below its high-water mark; each delivery becomes one MESSAGE per matching
// STOMP subscription, and is acknowledged to the broker when the last of them is settled
// (auto: once written; client and client-individual: on ACK, or NACK past the limit).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "protocols/stomp/adapter/channel.hpp"
#include "protocols/stomp/adapter/detail/log.hpp"

namespace edgegw::stomp {

void channel::pump(time_point now) {
  now_ = now;
  if (!connected_ || closing_ || !session_) return;
  const std::size_t want = std::max<std::size_t>(1, cfg_->pull_batch);
  while (out_.size() < cfg_->write_high_water && !closing_) {
    if (batch_pos_ < batch_.size()) {
      deliver(batch_[batch_pos_++]);
      continue;
    }
    batch_.clear();
    batch_pos_ = 0;
    if (!ready_) break;
    const std::size_t n = session_->pull(batch_, want);
    if (n < want) ready_ = false;  // the session calls on_ready again when it has more
    if (n == 0) break;
  }
  if (batch_pos_ >= batch_.size()) {
    batch_.clear();
    batch_pos_ = 0;
  }
}

void channel::deliver(const delivery& d) {
  if (d.pubrel) {  // not at QoS 1; complete it rather than leave it open
    session_->acknowledge(d.id, ack_type::pubcomp);
    return;
  }
  auto held = std::make_shared<held_delivery>();
  held->msg = d.msg;
  held->topic.assign(d.topic);
  held->id = d.id;
  held->qos = d.qos;
  held->refs = 1;  // ours, while sending
  for (const auto& [id, sub] : subs_) {
    if (!topic_matches(sub.match, held->topic)) continue;
    send_message(held, id, sub.mode, 0);
  }
  broker_.metrics().messages_sent.fetch_add(1, std::memory_order_relaxed);
  if (cfg_->counters) cfg_->counters->sent.fetch_add(1, std::memory_order_relaxed);
  if (--held->refs == 0) release(*held);
}

void channel::send_message(const std::shared_ptr<held_delivery>& h, const std::string& sub_id,
                           ack_mode mode, uint32_t redeliveries) {
  const uint64_t mid = next_message_id_++;
  const std::string mid_text = std::to_string(mid);
  frame m;
  m.command = "MESSAGE";
  m.add("subscription", sub_id);
  m.add("message-id", mid_text);
  m.add("destination", h->topic);
  if (mode != ack_mode::automatic && protocol_version() == version::v12) m.add("ack", mid_text);
  if (h->msg->content_type) m.add("content-type", *h->msg->content_type);
  if (redeliveries > 0) m.add("redelivered", "true");
  m.add("content-length", std::to_string(h->msg->payload.size()));
  // Encode the body straight from the shared message (no copy into the frame).
  const std::size_t before = out_.size();
  encode(m, protocol_version(), out_, false);
  out_.pop_back();  // the NUL of the empty body
  out_ += h->msg->payload;
  out_.push_back('\0');
  last_tx_ = now_;
  broker_.metrics().bytes_sent.fetch_add(out_.size() - before, std::memory_order_relaxed);
  if (mode != ack_mode::automatic) {
    ++h->refs;
    unacked_.emplace(mid, unacked_message{h, sub_id, redeliveries});
  }
}

void channel::settle(unacked_message& u) {
  if (u.held && --u.held->refs == 0) release(*u.held);
}

void channel::release(held_delivery& h) {
  if (h.qos > 0 && session_) session_->acknowledge(h.id, ack_type::puback);
  h.msg.reset();
}

void channel::drop_subscription_unacked(const std::string& sub_id) {
  for (auto it = unacked_.begin(); it != unacked_.end();) {
    if (it->second.subscription == sub_id) {
      settle(it->second);
      it = unacked_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace edgegw::stomp
