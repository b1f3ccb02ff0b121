// A scripted, recording edgegw::broker for driving mqtt::channel without the core: tests
// set the outcome of each call beforehand and check the calls afterwards. Single-threaded
// (the glue tests run one io_context on the test thread).
#pragma once
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/api/broker.hpp"

namespace edgegw::test {

class fake_session final : public session {
 public:
  explicit fake_session(client_info c) : client_(std::move(c)) {}
  const client_info& client() const noexcept override { return client_; }

  std::size_t pull(std::vector<delivery>& out, std::size_t max) override;
  bool acknowledge(uint16_t id, ack_type type, uint8_t reason) override;
  bool begin_incoming_qos2(uint16_t id, errc* error) override;
  bool release_incoming_qos2(uint16_t id) override;
  void set_will(std::optional<will_message> w) override { will = std::move(w); }
  void set_expiry_interval(uint32_t s) override { expiry = s; }
  session_stats stats() const override { return {queue.size(), inflight.size(), 0, 0}; }

  // Queue a message for delivery (what pull hands out); ids of QoS > 0 become inflight.
  void enqueue(delivery d) { queue.push_back(std::move(d)); }

  std::deque<delivery> queue;
  std::set<uint16_t> inflight;  // ids pulled with QoS > 0 and not completed
  std::vector<std::tuple<uint16_t, ack_type, uint8_t>> acks;
  std::set<uint16_t> incoming_qos2;
  std::size_t max_awaiting_rel = 100;
  std::size_t pull_calls = 0;
  std::optional<will_message> will;
  std::optional<uint32_t> expiry;

 private:
  client_info client_;
};

class fake_broker : public broker {
 public:
  result<client_info> authenticate(const credentials& creds) override;
  result<opened_session> open_session(const client_info& client, const session_options& options,
                                      std::shared_ptr<delivery_sink> sink) override;
  bool authorize(const client_info&, action, std::string_view) override { return true; }
  result<publish_outcome> publish(const client_info& client, message_ptr msg,
                                  std::function<void()> on_unthrottle) override;
  std::vector<subscribe_outcome> subscribe(session& s,
                                           std::span<const subscription_request> subs) override;
  std::vector<errc> unsubscribe(session& s, std::span<const std::string> filters) override;
  void close(session& s, close_reason reason, bool send_will) override;
  broker_metrics& metrics() noexcept override { return metrics_; }
  const broker_limits& limits() const noexcept override { return lim; }

  // Script.
  broker_limits lim;
  std::optional<errc> auth_error;
  std::string assigned_id = "assigned-1";
  std::optional<errc> open_error;
  bool session_present = false;
  std::optional<errc> publish_error;
  std::size_t publish_matched = 1;
  bool throttle_next = false;
  std::map<std::string, errc> subscribe_errors;    // by filter
  std::map<std::string, errc> unsubscribe_errors;  // by filter

  // Record.
  std::vector<credentials> auth_calls;
  std::vector<session_options> open_calls;
  std::shared_ptr<delivery_sink> sink;
  std::shared_ptr<fake_session> sess;
  std::vector<message_ptr> published;
  std::function<void()> unthrottle;  // of the last throttled publish
  std::vector<std::vector<subscription_request>> subscribes;
  std::vector<std::vector<std::string>> unsubscribes;
  struct close_call {
    close_reason reason;
    bool send_will;
  };
  std::vector<close_call> closes;

 private:
  broker_metrics metrics_;
};

}  // namespace edgegw::test
