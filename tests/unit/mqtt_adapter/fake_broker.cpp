// The recording broker of fake_broker.hpp.
#include "fake_broker.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

namespace edgegw::test {

std::size_t fake_session::pull(std::vector<delivery>& out, std::size_t max) {
  ++pull_calls;
  std::size_t n = 0;
  while (n < max && !queue.empty()) {
    delivery d = std::move(queue.front());
    queue.pop_front();
    if (d.qos > 0) inflight.insert(d.id);
    out.push_back(std::move(d));
    ++n;
  }
  return n;
}

bool fake_session::acknowledge(uint16_t id, ack_type type, uint8_t reason) {
  acks.emplace_back(id, type, reason);
  if (!inflight.count(id)) return false;
  if (type != ack_type::pubrec || reason >= 0x80) inflight.erase(id);
  return true;
}

bool fake_session::begin_incoming_qos2(uint16_t id, errc* error) {
  if (error) *error = errc::ok;
  if (incoming_qos2.count(id)) return false;
  if (incoming_qos2.size() >= max_awaiting_rel) {
    if (error) *error = errc::quota_exceeded;
    return false;
  }
  incoming_qos2.insert(id);
  return true;
}

bool fake_session::release_incoming_qos2(uint16_t id) {
  return incoming_qos2.erase(id) > 0;
}

result<client_info> fake_broker::authenticate(const credentials& creds) {
  auth_calls.push_back(creds);
  if (auth_error) return *auth_error;
  client_info c;
  c.client_id = creds.client_id.empty() ? assigned_id : creds.client_id;
  c.client_id_assigned = creds.client_id.empty();
  c.username = creds.username.value_or("");
  c.protocol = creds.protocol;
  c.protocol_version = creds.protocol_version;
  c.peer = creds.peer;
  c.listener = creds.listener;
  c.mountpoint = creds.mountpoint;
  return c;
}

result<opened_session> fake_broker::open_session(const client_info& client,
                                                 const session_options& options,
                                                 std::shared_ptr<delivery_sink> s) {
  open_calls.push_back(options);
  if (open_error) return *open_error;
  sink = std::move(s);
  sess = std::make_shared<fake_session>(client);
  return opened_session{sess, session_present};
}

result<publish_outcome> fake_broker::publish(const client_info&, message_ptr msg,
                                             std::function<void()> on_unthrottle) {
  if (publish_error) return *publish_error;
  published.push_back(std::move(msg));
  publish_outcome o;
  o.matched = publish_matched;
  if (throttle_next) {
    throttle_next = false;
    o.throttled = true;
    unthrottle = std::move(on_unthrottle);
  }
  return o;
}

std::vector<subscribe_outcome> fake_broker::subscribe(session&,
                                                      std::span<const subscription_request> subs) {
  subscribes.emplace_back(subs.begin(), subs.end());
  std::vector<subscribe_outcome> out;
  for (const auto& r : subs) {
    auto it = subscribe_errors.find(r.filter);
    if (it != subscribe_errors.end()) {
      out.push_back({it->second, 0});
    } else {
      out.push_back({errc::ok, std::min<uint8_t>(r.options.qos, lim.max_qos)});
    }
  }
  return out;
}

std::vector<errc> fake_broker::unsubscribe(session&, std::span<const std::string> filters) {
  unsubscribes.emplace_back(filters.begin(), filters.end());
  std::vector<errc> out;
  for (const auto& f : filters) {
    auto it = unsubscribe_errors.find(f);
    out.push_back(it == unsubscribe_errors.end() ? errc::ok : it->second);
  }
  return out;
}

void fake_broker::close(session&, close_reason reason, bool send_will) {
  closes.push_back({reason, send_will});
}

}  // namespace edgegw::test

namespace {
// Keep test output readable: the channel logs every connect at info. EDGEGW_TEST_LOG=1
// shows everything.
const bool quiet_logs = [] {
  if (!std::getenv("EDGEGW_TEST_LOG")) spdlog::set_level(spdlog::level::warn);
  return true;
}();
}  // namespace
