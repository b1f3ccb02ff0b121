// The management API's side of lwm2m_gateway (net::gateway_commands): commands from
// /api/v5/gateways/lwm2m/clients/{ep}/read|write|observe are validated on the API's thread
// with the same parser as dn commands and then submitted on the gateway's thread exactly
// as a dn command is (queued for sleeping devices, answered on up/resp). Answers are
// remembered per device for EMQX's lookup: the last one per action and path.
#include "gateway/api/log.hpp"
#include "protocols/lwm2m/codec/decode.hpp"
#include "protocols/lwm2m/gateway/lwm2m_gateway.hpp"

namespace edgegw::lwm2m {

namespace {

std::shared_ptr<spdlog::logger>& lg() {
  static auto l = log::get("lwm2m");
  return l;
}

// Bounds the memory one device's remembered answers take.
constexpr std::size_t max_answers_per_device = 64;

std::string_view ops_string(operations o) {
  switch (o) {
    case operations::r:
      return "R";
    case operations::w:
      return "W";
    case operations::rw:
      return "RW";
    case operations::e:
      return "E";
    case operations::none:
      break;
  }
  return "";
}

// A discover's link list as EMQX's lookup shows it: one entry per resource link, with the
// name, operations and data type from the object definitions when there are some.
nlohmann::json discover_content(const nlohmann::json& links, const object_registry& objects) {
  nlohmann::json out = nlohmann::json::array();
  if (!links.is_array()) return out;
  for (const auto& l : links) {
    if (!l.is_string()) continue;
    const auto& s = l.get_ref<const std::string&>();
    auto open = s.find('<'), close = s.find('>');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    std::string p = s.substr(open + 1, close - open - 1);
    auto parsed = parse_path(p);
    if (!parsed || parsed.value().depth < 3) continue;
    nlohmann::json e = {{"path", p}};
    if (const resource_def* r = objects.find(parsed.value().object(), parsed.value().resource())) {
      e["name"] = r->name;
      e["operations"] = ops_string(r->operations);
      if (r->operations != operations::e) e["dataType"] = to_string(r->type);
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

net::command_outcome lwm2m_gateway::send_command(std::string_view ep,
                                                 std::string_view command_json) {
  {
    std::lock_guard lock(api_mu_);
    if (stopped_ || api_view_.find(ep) == api_view_.end())
      return {net::command_status::unknown_client, {}};
  }
  // objects_ is not changed after construction: parsing here is thread-safe.
  auto cmd = parse_command(command_json, objects_);
  if (!cmd) return {net::command_status::invalid, cmd.error().reason};
  boost::asio::post(
      stack_.io(), [this, o = self_, ep = std::string(ep), c = std::move(cmd).value()]() mutable {
        if (!*o || stopped_) return;
        auto f = devices_.find(ep);
        if (f == devices_.end()) {
          lg()->info("api_command_dropped ep={} msgType={} reason=not_registered", ep,
                     to_string(c.type));
          return;
        }
        ++commands_;
        lg()->debug("api_command ep={} msgType={} path={}", ep, to_string(c.type), c.req_path);
        submit(*f->second, std::move(c));
        stack_.kick();
      });
  return {};
}

std::optional<std::string> lwm2m_gateway::last_answer(std::string_view ep, std::string_view action,
                                                      std::string_view path, bool* known) const {
  std::lock_guard lock(api_mu_);
  auto d = api_view_.find(ep);
  if (known) *known = d != api_view_.end();
  if (d == api_view_.end()) return std::nullopt;
  auto a = d->second.find(std::string(action) + " " + std::string(path));
  if (a == d->second.end()) return std::nullopt;
  return a->second;
}

void lwm2m_gateway::record_answer(const device& d, const command& cmd, std::string_view action,
                                  const nlohmann::json& answer) {
  if (!answer.contains("data") || !answer["data"].is_object()) return;
  const auto& data = answer["data"];
  nlohmann::json out = nlohmann::json::object();
  for (const char* k : {"code", "codeMsg"})
    if (data.contains(k)) out[k] = data[k];
  if (data.contains("content"))
    out["content"] = cmd.type == msg_type::discover ? discover_content(data["content"], objects_)
                                                    : data["content"];
  std::string key = std::string(action) + " " + cmd.req_path;
  std::string text = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(api_mu_);
  auto v = api_view_.find(d.ep);
  if (v == api_view_.end()) return;
  auto& answers = v->second;
  if (!answers.count(key) && answers.size() >= max_answers_per_device)
    answers.erase(answers.begin());
  answers[key] = std::move(text);
}

void lwm2m_gateway::api_view_add(const std::string& ep) {
  std::lock_guard lock(api_mu_);
  api_view_[ep];
}

void lwm2m_gateway::api_view_remove(const std::string& ep) {
  std::lock_guard lock(api_mu_);
  api_view_.erase(ep);
}

}  // namespace edgegw::lwm2m
