// traffic_run: fan-in, fan-out and latency scenarios (see traffic_run.hpp).
#include "tests/bench/traffic_run.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tests/bench/json_line.hpp"

namespace edgegw::bench {
namespace {

constexpr std::size_t subscriber_read_buffer = 256 * 1024;
constexpr std::size_t publisher_read_buffer = 4 * 1024;
// A paced publisher whose socket holds this much unwritten data is not keeping up: skip.
constexpr std::size_t paced_queue_limit = 4 * 1024 * 1024;
constexpr auto setup_timeout = std::chrono::seconds(20);
constexpr auto pace_interval = std::chrono::milliseconds(1);
constexpr auto drain_poll = std::chrono::milliseconds(50);
// A blocked QoS 0 publisher whose window saw no progress for this long had its messages dropped
// by the broker: write them off and go on, or it would wait forever.
constexpr auto stall_interval = std::chrono::milliseconds(250);
// The drain ends once nothing more arrived (or was acknowledged) for this long.
constexpr auto drain_idle = std::chrono::seconds(1);

std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Nearest-rank percentile of sorted values, in milliseconds.
double percentile_ms(const std::vector<std::uint64_t>& sorted, double q) {
  if (sorted.empty()) return NAN;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]) / 1e6;
}

}  // namespace

traffic_run::traffic_run(asio::io_context& io, const options& o)
    : io_(io),
      o_(o),
      paced_(o.scenario == "latency"),
      phase_timer_(io),
      pace_timer_(io),
      drain_timer_(io),
      ping_timer_(io),
      stall_timer_(io) {}

std::string traffic_run::run(bool& ok) {
  error_code ec;
  const auto address = asio::ip::make_address(o_.host, ec);
  if (ec) {
    ok = false;
    return json_line()
        .add("scenario", o_.scenario)
        .add("ok", false)
        .add("error", "bad --host " + o_.host)
        .str();
  }
  broker_ = tcp::endpoint(address, o_.port);
  const bool fanout = o_.scenario == "fanout";
  for (int i = 0; i < o_.publishers; ++i) {
    const std::string topic = o_.topic_prefix + "/" + (fanout ? "fanout" : std::to_string(i));
    templates_.emplace_back(topic, o_.qos, o_.payload);
    pub_.emplace_back();
    if (o_.subscribers == 1) trackers_.emplace_back();
  }
  sub_received_.assign(static_cast<std::size_t>(o_.subscribers), 0);
  seen_upto_.assign(static_cast<std::size_t>(o_.subscribers),
                    std::vector<std::uint64_t>(static_cast<std::size_t>(o_.publishers), 0));
  for (int i = 0; i < o_.subscribers; ++i) {
    subs_.push_back(std::make_unique<client>(io_, *this, subs_.size(), subscriber_read_buffer));
    subs_.back()->set_quickack(o_.quickack);
    subs_.back()->start(broker_, std::nullopt, o_.client_prefix + "-s" + std::to_string(i),
                        o_.keepalive);
  }
  phase_timer_.expires_after(setup_timeout);
  phase_timer_.async_wait([this](const error_code& e) {
    if (e || phase_ != phase::setup) return;
    finish("setup timed out: " + std::to_string(subs_ready_) + "/" + std::to_string(subs_.size()) +
           " subscribers, " + std::to_string(pubs_ready_) + "/" + std::to_string(o_.publishers) +
           " publishers ready");
  });
  if (o_.keepalive > 0) ping_tick();

  io_.run();

  // Leave politely, but never wait long for a broker that stopped reading.
  for (auto& c : subs_) c->disconnect();
  for (auto& c : pubs_) c->disconnect();
  io_.restart();
  io_.run_for(std::chrono::seconds(3));
  ok = error_.empty();
  return result_json();
}

std::string traffic_run::client_name(const client& c) const {
  return c.index() < subs_.size() ? "subscriber " + std::to_string(c.index())
                                  : "publisher " + std::to_string(c.index() - subs_.size());
}

void traffic_run::on_connected(client& c, std::uint8_t return_code) {
  if (return_code != 0) {
    return finish(client_name(c) + ": CONNACK return code " + std::to_string(return_code));
  }
  if (c.index() < subs_.size()) {
    const std::string filter = o_.topic_prefix + (o_.scenario == "fanout" ? "/fanout" : "/#");
    wire::append_subscribe(c.out(), 1, filter, o_.qos);
    c.flush();
  } else if (++pubs_ready_ == pubs_.size()) {
    begin_traffic();
  }
}

void traffic_run::on_frame(client& c, const wire::frame& f) {
  if (phase_ == phase::done) return;  // results are final; the rest is teardown
  const bool is_sub = c.index() < subs_.size();
  switch (f.type()) {
    case wire::publish:
      if (is_sub) on_delivery(c, f);
      return;
    case wire::puback:
      if (!is_sub && o_.qos == 1) {
        auto& p = pub_[c.index() - subs_.size()];
        if (p.inflight == 0) return finish(client_name(c) + ": unexpected PUBACK");
        --p.inflight;
        ++p.acked;  // the window is refilled once the whole read is handled
      }
      return;
    case wire::suback:
      if (!is_sub || f.body_len != 3) return finish(client_name(c) + ": unexpected SUBACK");
      if (f.body[2] == 0x80) return finish(client_name(c) + ": subscription refused");
      if (f.body[2] != o_.qos) {
        return finish(client_name(c) + ": granted QoS " + std::to_string(f.body[2]));
      }
      if (++subs_ready_ == subs_.size()) start_publishers();
      return;
    case wire::pingresp:
      return;
    default:
      return finish(client_name(c) + ": unexpected packet type " + std::to_string(f.type()));
  }
}

void traffic_run::on_delivery(client& sub, const wire::frame& f) {
  const auto pv = wire::parse_publish(f);
  if (!pv) return finish(client_name(sub) + ": malformed PUBLISH");
  if (pv->qos == 1) {
    wire::append_puback(sub.out(), pv->packet_id);  // flushed in on_read_done
  }
  const auto st = wire::read_stamp(*pv);
  if (!st || st->publisher >= pub_.size() || st->seq >= pub_[st->publisher].generated) {
    ++foreign_;
    return;
  }
  ++received_;
  ++sub_received_[sub.index()];
  if (!trackers_.empty()) trackers_[st->publisher].on_receive(st->seq);
  auto& upto = seen_upto_[sub.index()][st->publisher];
  if (st->seq >= upto) upto = st->seq + 1;
  auto& p = pub_[st->publisher];
  if (p.blocked && sending() &&
      p.generated - seen_level(st->publisher) <= static_cast<std::uint64_t>(o_.window) / 2) {
    fill(st->publisher);
  }
  if (paced_ && st->sent_ns >= window_start_ns_ && st->sent_ns < window_end_ns_ &&
      window_start_ns_ != 0) {
    latencies_ns_.push_back(now_ns() - st->sent_ns);
  }
}

void traffic_run::on_drained(client& c) {
  if (!paced_ && sending() && c.index() >= subs_.size()) fill(c.index() - subs_.size());
}

void traffic_run::on_read_done(client& c) {
  if (c.index() < subs_.size()) {
    c.flush();
  } else if (o_.qos == 1 && !paced_ && sending()) {
    fill(c.index() - subs_.size());
  }
}

void traffic_run::on_closed(client& c, const error_code& ec, std::string_view what) {
  finish(client_name(c) + " " + std::string(what) + ": " + ec.message());
}

void traffic_run::start_publishers() {
  for (int i = 0; i < o_.publishers; ++i) {
    pubs_.push_back(
        std::make_unique<client>(io_, *this, subs_.size() + pubs_.size(), publisher_read_buffer));
    pubs_.back()->start(broker_, std::nullopt, o_.client_prefix + "-p" + std::to_string(i),
                        o_.keepalive);
  }
}

void traffic_run::begin_traffic() {
  traffic_start_ = clock::now();
  phase_ = phase::warmup;
  if (paced_) {
    next_tick_ = traffic_start_;
    pace_tick();
  } else {
    for (std::size_t i = 0; i < pubs_.size(); ++i) fill(i);
    if (o_.qos == 0) stall_tick();
  }
  const auto warmup =
      std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o_.warmup));
  phase_timer_.expires_at(traffic_start_ + warmup);
  phase_timer_.async_wait([this](const error_code& e) {
    if (!e && phase_ == phase::warmup) mark_start();
  });
}

// Flood: QoS 0 keeps two batches queued (one being written, one ready); QoS 1 keeps the window
// of unacknowledged messages full.
void traffic_run::fill(std::size_t pub) {
  client& c = *pubs_[pub];
  if (o_.qos == 0) {
    auto& p = pub_[pub];
    const std::uint64_t limit = seen_level(pub) + static_cast<std::uint64_t>(o_.window);
    while (c.out().size() < o_.batch_bytes && p.generated < limit) queue_one(pub);
    c.flush();
    while (c.out().size() < o_.batch_bytes && p.generated < limit) queue_one(pub);
    p.blocked = p.generated >= limit;
  } else {
    while (pub_[pub].inflight < static_cast<std::uint32_t>(o_.inflight)) queue_one(pub);
    c.flush();
  }
}

void traffic_run::queue_one(std::size_t pub) {
  auto& p = pub_[pub];
  client& c = *pubs_[pub];
  const auto packet_id = static_cast<std::uint16_t>(o_.qos > 0 ? p.generated % 65535 + 1 : 0);
  templates_[pub].append(c.out(), packet_id,
                         {static_cast<std::uint32_t>(pub), p.generated, now_ns()});
  c.count_message();
  ++p.generated;
  if (o_.qos > 0) ++p.inflight;
}

std::uint64_t traffic_run::seen_level(std::size_t pub) const {
  std::uint64_t level = UINT64_MAX;
  for (const auto& upto : seen_upto_) level = std::min(level, upto[pub]);
  return std::max(level, pub_[pub].floor);
}

// Runs every stall_interval while flooding at QoS 0. A publisher blocked at two checks in a row
// without any of its window seen in between lost those messages in the broker.
void traffic_run::stall_tick() {
  if (!sending()) return;
  for (std::size_t i = 0; i < pub_.size(); ++i) {
    auto& p = pub_[i];
    if (p.blocked && p.blocked_at_check && seen_level(i) == p.level_at_check) {
      ++window_stalls_;
      p.floor = p.generated;
      fill(i);
    }
    p.blocked_at_check = p.blocked;
    p.level_at_check = seen_level(i);
  }
  stall_timer_.expires_after(stall_interval);
  stall_timer_.async_wait([this](const error_code& e) {
    if (!e) stall_tick();
  });
}

// Sends what the rate makes due since the traffic began, so timer jitter never drifts the rate.
void traffic_run::pace_tick() {
  if (!sending()) return;
  const double elapsed = seconds(clock::now() - traffic_start_);
  const auto due = static_cast<std::uint64_t>(o_.rate * elapsed);
  for (; paced_total_ < due; ++paced_total_) {
    const std::size_t pub = paced_total_ % pubs_.size();
    client& c = *pubs_[pub];
    if (c.queued_bytes() > paced_queue_limit || pub_[pub].inflight >= 65535) {
      ++skipped_;
      continue;
    }
    queue_one(pub);
    c.flush();
  }
  next_tick_ += pace_interval;
  pace_timer_.expires_at(next_tick_);
  pace_timer_.async_wait([this](const error_code& e) {
    if (!e) pace_tick();
  });
}

void traffic_run::mark_start() {
  phase_ = phase::measuring;
  window_start_ = clock::now();
  window_start_ns_ = now_ns();
  written_at_start_ = total_written();
  received_at_start_ = received_;
  acked_at_start_ = total_acked();
  cpu_at_start_ = process_cpu_seconds();
  std::fputs("MARK start\n", stdout);
  std::fflush(stdout);
  const auto duration =
      std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o_.duration));
  phase_timer_.expires_at(window_start_ + duration);
  phase_timer_.async_wait([this](const error_code& e) {
    if (!e && phase_ == phase::measuring) mark_end();
  });
}

void traffic_run::mark_end() {
  window_end_ = clock::now();
  window_end_ns_ = now_ns();
  written_at_end_ = total_written();
  received_at_end_ = received_;
  acked_at_end_ = total_acked();
  cpu_at_end_ = process_cpu_seconds();
  std::fputs("MARK end\n", stdout);
  std::fflush(stdout);
  phase_ = phase::draining;
  pace_timer_.cancel();
  drain_start_ = last_progress_ = clock::now();
  progress_mark_ = received_ + total_acked();
  drain_tick();
}

void traffic_run::drain_tick() {
  if (phase_ != phase::draining) return;
  const auto now = clock::now();
  const std::uint64_t progress = received_ + total_acked();
  if (progress != progress_mark_) {
    progress_mark_ = progress;
    last_progress_ = now;
  }
  if (all_delivered() || now - last_progress_ >= drain_idle ||
      seconds(now - drain_start_) >= o_.drain) {
    return finish("");
  }
  drain_timer_.expires_after(drain_poll);
  drain_timer_.async_wait([this](const error_code& e) {
    if (!e) drain_tick();
  });
}

void traffic_run::ping_tick() {
  if (phase_ == phase::done) return;
  for (auto* group : {&subs_, &pubs_}) {
    for (auto& c : *group) {
      if (!c->is_connected()) continue;
      wire::append_pingreq(c->out());
      c->flush();
    }
  }
  ping_timer_.expires_after(std::chrono::milliseconds(500) * o_.keepalive);
  ping_timer_.async_wait([this](const error_code& e) {
    if (!e) ping_tick();
  });
}

void traffic_run::finish(std::string error) {
  if (phase_ == phase::done) return;
  if (phase_ != phase::draining && error.empty()) error = "finished early";
  if (phase_ == phase::measuring || phase_ == phase::warmup) {
    window_end_ = clock::now();
    written_at_end_ = total_written();
    received_at_end_ = received_;
    acked_at_end_ = total_acked();
    cpu_at_end_ = process_cpu_seconds();
  }
  phase_ = phase::done;
  error_ = std::move(error);
  phase_timer_.cancel();
  pace_timer_.cancel();
  drain_timer_.cancel();
  ping_timer_.cancel();
  stall_timer_.cancel();
  io_.stop();
}

std::uint64_t traffic_run::total_written() const {
  std::uint64_t n = 0;
  for (const auto& c : pubs_) n += c->messages_written();
  return n;
}

std::uint64_t traffic_run::total_acked() const {
  std::uint64_t n = 0;
  for (const auto& p : pub_) n += p.acked;
  return n;
}

bool traffic_run::all_delivered() const {
  std::uint64_t generated = 0;
  for (std::size_t i = 0; i < pubs_.size(); ++i) {
    if (pub_[i].inflight != 0 || pubs_[i]->queued_bytes() != 0) return false;
    generated += pub_[i].generated;
  }
  return received_ >= generated * subs_.size();
}

std::string traffic_run::result_json() const {
  json_line j;
  j.add("scenario", o_.scenario).add("ok", error_.empty());
  if (!error_.empty()) j.add("error", error_);
  j.add("qos", o_.qos).add("publishers", o_.publishers).add("subscribers", o_.subscribers);
  j.add("payload", static_cast<std::uint64_t>(o_.payload)).add("duration_s", o_.duration);
  j.add("quickack", o_.quickack);
  const double window = window_start_ns_ != 0 ? seconds(window_end_ - window_start_) : 0.0;
  const std::uint64_t sent = total_written();
  const std::uint64_t expected = sent * subs_.size();
  j.add("window_s", window).add("sent", sent).add("received", received_);
  j.add("expected", expected).add("foreign", foreign_);
  j.add("window_sent", written_at_end_ - written_at_start_);
  j.add("window_received", received_at_end_ - received_at_start_);
  j.add("send_rate",
        window > 0 ? static_cast<double>(written_at_end_ - written_at_start_) / window : NAN);
  j.add("recv_rate",
        window > 0 ? static_cast<double>(received_at_end_ - received_at_start_) / window : NAN);
  // Per-publisher receipts (one subscriber): duplicates cannot hide a loss there.
  seq_tracker::summary total;
  std::string per = "[";
  for (std::size_t i = 0; i < trackers_.size(); ++i) {
    const std::uint64_t pub_sent = i < pubs_.size() ? pubs_[i]->messages_written() : 0;
    const auto s = trackers_[i].summarize(pub_sent);
    total.unique += s.unique;
    total.dups += s.dups;
    total.reordered += s.reordered;
    total.missing += s.missing;
    total.gaps += s.gaps;
    json_line p;
    p.add("sent", pub_sent).add("acked", pub_[i].acked).add("unique", s.unique);
    p.add("dups", s.dups).add("missing", s.missing).add("gaps", s.gaps);
    p.add("reordered", s.reordered);
    per += (i ? "," : "") + p.str();
  }
  const std::uint64_t lost = !trackers_.empty()     ? total.missing
                             : expected > received_ ? expected - received_
                                                    : 0;
  j.add("lost", lost)
      .add("loss_pct",
           expected > 0 ? 100.0 * static_cast<double>(lost) / static_cast<double>(expected) : 0.0);
  j.add("gen_cpu_pct", window > 0 ? 100.0 * (cpu_at_end_ - cpu_at_start_) / window : NAN);
  if (o_.qos == 1) {
    j.add("acked", total_acked());
    j.add("acked_rate",
          window > 0 ? static_cast<double>(acked_at_end_ - acked_at_start_) / window : NAN);
  }
  if (o_.qos == 0 && !paced_) j.add("window", o_.window).add("window_stalls", window_stalls_);
  if (!trackers_.empty()) {
    j.add("unique", total.unique).add("dups", total.dups).add("reordered", total.reordered);
    j.add("missing", total.missing).add("gaps", total.gaps);
    if (o_.qos == 1) j.add_raw("per_publisher", per + "]");
  }
  if (paced_) {
    std::vector<std::uint64_t> sorted = latencies_ns_;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0;
    for (auto v : sorted) sum += static_cast<double>(v);
    j.add("rate", o_.rate).add("skipped", skipped_);
    j.add("samples", static_cast<std::uint64_t>(sorted.size()));
    j.add("lat_mean_ms", sorted.empty() ? NAN : sum / static_cast<double>(sorted.size()) / 1e6);
    j.add("lat_p50_ms", percentile_ms(sorted, 0.50)).add("lat_p90_ms", percentile_ms(sorted, 0.90));
    j.add("lat_p99_ms", percentile_ms(sorted, 0.99))
        .add("lat_p999_ms", percentile_ms(sorted, 0.999));
    j.add("lat_max_ms", sorted.empty() ? NAN : static_cast<double>(sorted.back()) / 1e6);
  }
  return j.str();
}

}  // namespace edgegw::bench
