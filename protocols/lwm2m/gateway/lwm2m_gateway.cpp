// See lwm2m_gateway.hpp: start/stop, the libcoap callbacks and the broker side (device
// sessions, commands from dn, messages to up/...). Registration is in gateway_rd.cpp,
// the device side of commands in gateway_downlink.cpp.
#include "protocols/lwm2m/gateway/lwm2m_gateway.hpp"

#include <nlohmann/json.hpp>

#include "gateway/api/log.hpp"
#include "protocols/lwm2m/gateway/detail/device_sink.hpp"

namespace edgegw::lwm2m {

namespace {

std::shared_ptr<spdlog::logger>& lg() {
  static auto l = log::get("lwm2m");
  return l;
}

}  // namespace

lwm2m_gateway::lwm2m_gateway(broker& b, boost::asio::io_context& io, gateway_settings g,
                             coap::stack_settings s, object_registry objects)
    : broker_(b),
      settings_(std::move(g)),
      stack_(io, std::move(s)),
      objects_(std::move(objects)),
      tick_(io),
      self_(std::make_shared<lwm2m_gateway*>(this)) {}

lwm2m_gateway::~lwm2m_gateway() {
  *self_ = nullptr;
  for (auto& [id, p] : pending_auth_) coap_session_release(p.session);
  for (auto& [ep, d] : devices_)
    if (d->coap) coap_session_release(d->coap);
  devices_.clear();
}

void lwm2m_gateway::start() {
  stack_.start();
  coap_context_t* ctx = stack_.context();
  stack_.user = this;
  // Registration paths are rd and rd/{id}; the unknown resource takes every path so that
  // other requests get a proper 4.04 and still count as the device talking.
  coap_resource_t* unknown = coap_resource_unknown_init2(on_request, 0);
  for (auto m : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_DELETE})
    coap_register_request_handler(unknown, m, on_request);
  coap_add_resource(ctx, unknown);
  coap_resource_t* rd = coap_resource_init(coap_make_str_const("rd"), 0);
  for (auto m : {COAP_REQUEST_GET, COAP_REQUEST_POST, COAP_REQUEST_PUT, COAP_REQUEST_DELETE})
    coap_register_request_handler(rd, m, on_request);
  coap_add_resource(ctx, rd);
  coap_register_response_handler(ctx, on_response);
  coap_register_nack_handler(ctx, on_nack);
  stack_.run();
  schedule_tick();
  lg()->info("started definitions={} objects={}", settings_.definitions_dir.string(),
             objects_.size());
}

void lwm2m_gateway::stop() {
  boost::asio::post(stack_.io(), [this] {
    if (stopped_) return;
    stopped_ = true;
    lg()->info("stopping devices={} commands={} responses={} notifications={} timeouts={}",
               devices_.size(), commands_.load(), responses_.load(), notifications_.load(),
               timeouts_.load());
    while (!devices_.empty()) remove(devices_.begin()->first, false, close_reason::server_shutdown);
    for (auto& [id, p] : pending_auth_) coap_session_release(p.session);
    pending_auth_.clear();
    tick_.cancel();
    stack_.stop();
  });
}

net::service_status lwm2m_gateway::status() const {
  net::service_status s;
  s.kind = "gateway";
  s.name = "lwm2m";
  s.type = "lwm2m";
  s.status = stopped_ ? "stopped" : "running";
  nlohmann::json d;
  d["current_connections"] = device_count_.load();
  nlohmann::json listeners = nlohmann::json::array();
  for (const auto& [name, addr] : stack_.endpoints())
    listeners.push_back({{"name", name}, {"bind", addr}});
  d["listeners"] = listeners;
  s.details_json = d.dump();
  s.metrics = {{"devices", double(device_count_.load())},
               {"commands_total", double(commands_.load())},
               {"responses_total", double(responses_.load())},
               {"notifications_total", double(notifications_.load())},
               {"command_timeouts_total", double(timeouts_.load())}};
  return s;
}

void lwm2m_gateway::schedule_tick() {
  tick_.expires_after(std::chrono::milliseconds(250));
  tick_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    tick();
    stack_.kick();
    schedule_tick();
  });
}

void lwm2m_gateway::tick() {
  auto now = clock::now();
  std::vector<std::string> expired;
  for (auto& [ep, d] : devices_) {
    if (now >= d->expires) {
      expired.push_back(ep);
      continue;
    }
    // Waiting commands past their deadline, then the one in flight.
    for (auto it = d->waiting.begin(); it != d->waiting.end();) {
      if (it->deadline <= now) {
        ++timeouts_;
        publish(*d, settings_.topic_response, make_coap_timeout(it->cmd));
        it = d->waiting.erase(it);
      } else {
        ++it;
      }
    }
    if (d->inflight && d->inflight->deadline <= now) {
      ++timeouts_;
      lg()->info("command_timeout ep={} msgType={} path={}", ep, to_string(d->inflight->cmd.type),
                 d->inflight->cmd.req_path);
      publish(*d, settings_.topic_response, make_coap_timeout(d->inflight->cmd));
      finish_inflight(*d);
      pump(*d);
    }
  }
  for (const auto& ep : expired) {
    lg()->info("lifetime_expired ep={}", ep);
    remove(ep, true, close_reason::keepalive_timeout);
  }
}

// ------------------------------------------------------------------------- broker side

void lwm2m_gateway::publish(device& d, const std::string& topic, const nlohmann::json& body) {
  message m;
  m.topic = topic;
  m.payload = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  m.from_client = d.info.client_id;
  m.from_protocol = "lwm2m";
  auto r = broker_.publish(d.info, make_message(std::move(m)));
  if (!r) lg()->warn("publish_failed ep={} topic={} reason={}", d.ep, topic, r.error().message());
}

void lwm2m_gateway::deliver(const std::string& ep, const sink* s) {
  auto it = devices_.find(ep);
  if (it == devices_.end() || it->second->snk.get() != s) return;
  device& d = *it->second;
  constexpr std::size_t max_batch = 32;
  for (;;) {
    batch_.clear();
    std::size_t n = d.sess->pull(batch_, max_batch);
    for (auto& dl : batch_) {
      if (dl.qos == 1) d.sess->acknowledge(dl.id, ack_type::puback);
      if (dl.qos == 2) {
        d.sess->acknowledge(dl.id, ack_type::pubrec);
        d.sess->acknowledge(dl.id, ack_type::pubcomp);
      }
      if (dl.pubrel) continue;
      ++commands_;
      auto cmd = parse_command(dl.msg->payload, objects_);
      if (!cmd) {
        lg()->info("bad_command ep={} reason=\"{}\"", ep, cmd.error().reason);
        publish(d, settings_.topic_response, make_command_error(cmd.error()));
        continue;
      }
      submit(d, std::move(cmd).value());
      // submit() may have sent and failed in a way that removed nothing; the device stays.
    }
    if (n < max_batch) break;
  }
}

void lwm2m_gateway::on_session_closed(const std::string& ep, const sink* s, close_reason reason) {
  auto it = devices_.find(ep);
  if (it == devices_.end() || it->second->snk.get() != s) return;
  it->second->sess.reset();  // the core ended it already
  remove(ep, true, reason);
}

void lwm2m_gateway::submit(device& d, command cmd) {
  std::size_t held = d.waiting.size() + (d.inflight ? 1 : 0);
  if (held >= settings_.max_queued_commands) {
    lg()->info("command_refused ep={} reason=queue_full held={}", d.ep, held);
    publish(d, settings_.topic_response, make_response(cmd, coap_code::service_unavailable));
    return;
  }
  d.waiting.push_back(queued{std::move(cmd), clock::now() + settings_.command_timeout});
  pump(d);
}

void lwm2m_gateway::remove(std::string ep, bool deregister_event, close_reason why) {
  auto it = devices_.find(ep);
  if (it == devices_.end()) return;
  auto d = std::move(it->second);
  devices_.erase(it);
  device_count_ = devices_.size();
  api_view_remove(ep);
  locations_.erase(d->location);
  drop_resource(d->resource);
  for (auto t = tokens_.begin(); t != tokens_.end();)
    t = t->second == ep ? tokens_.erase(t) : std::next(t);
  if (deregister_event) {
    auto ev = make_registration_event("deregister", d->reg);
    publish(*d, settings_.topic_response, ev);
  }
  if (d->coap) coap_session_release(d->coap);
  if (d->sess) broker_.close(*d->sess, why, false);
  lg()->info("device_removed ep={} dropped_commands={}", ep,
             d->waiting.size() + (d->inflight ? 1 : 0));
}

}  // namespace edgegw::lwm2m
