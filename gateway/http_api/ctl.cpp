// See ctl.hpp. One HTTP/1.1 request per command (Boost.Beast), with a deadline; the URL
// and credentials default to the [api] section of the ini (-c) or the built-in defaults.
#include "gateway/http_api/ctl.hpp"

#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <sstream>

#include "gateway/config/config.hpp"
#include "gateway/http_api/request_target.hpp"

namespace edgegw::ctl {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;

struct options {
  std::string config_file;
  std::string url;
  std::string username;
  std::string password;
  bool json_out = false;
  double timeout = 10;
  // command arguments
  std::string command;
  std::string arg1, arg2;
  std::string lwm2m_op, path, extra1, extra2;  // ctl lwm2m OP CLIENT PATH [EXTRA1 [EXTRA2]]
  std::string until, reason;
  std::size_t limit = 1000;
  int qos = 0;
  bool retain = false;
};

struct reply {
  unsigned status = 0;
  std::string body;
};

struct http_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "http://HOST:PORT" (IPv6 as [::1]) -> host, port
std::pair<std::string, std::string> split_url(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0)
    rest = rest.substr(7);
  else if (rest.find("://") != std::string::npos)
    throw http_error("only http:// URLs are supported: " + url);
  rest = rest.substr(0, rest.find('/'));
  std::string host = rest, port = "80";
  if (auto colon = rest.rfind(':'); colon != std::string::npos && rest.back() != ']') {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return {host, port};
}

reply request(const options& o, http::verb method, const std::string& target,
              const std::string& body = {}) {
  auto [host, port] = split_url(o.url);
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  auto deadline = std::chrono::milliseconds(static_cast<int64_t>(o.timeout * 1000));
  asio::ip::tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto eps = resolver.resolve(host, port, ec);
  if (ec) throw http_error("cannot resolve " + host + ": " + ec.message());
  stream.expires_after(deadline);
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "edgegw-ctl");
  req.set(http::field::authorization,
          "Basic " + http_api::base64_encode(o.username + ":" + o.password));
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  std::string step = "connect";
  stream.async_connect(eps, [&](boost::system::error_code e, auto) {
    if ((ec = e)) return;
    step = "write";
    http::async_write(stream, req, [&](boost::system::error_code e2, std::size_t) {
      if ((ec = e2)) return;
      step = "read";
      http::async_read(stream, buf, res,
                       [&](boost::system::error_code e3, std::size_t) { ec = e3; });
    });
  });
  ioc.run();
  if (ec) throw http_error(step + " " + o.url + ": " + ec.message());
  return {res.result_int(), res.body()};
}

json checked_json(const reply& r, const std::string& what) {
  if (r.status == 401) throw http_error(what + ": 401 unauthorized (check --username/--password)");
  json j = json::parse(r.body, nullptr, false);
  if (r.status >= 300 && r.status != 202) {
    std::string msg = j.is_object() ? j.value("message", r.body) : r.body;
    throw http_error(what + ": HTTP " + std::to_string(r.status) + ": " + msg);
  }
  if (j.is_discarded()) throw http_error(what + ": the reply is not JSON");
  return j;
}

std::string cell(const json& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

// Aligned columns; `cols` are (header, json key).
void print_table(const json& rows, const std::vector<std::pair<std::string, std::string>>& cols) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> width;
  for (const auto& [h, k] : cols) width.push_back(h.size());
  for (const auto& r : rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      line.push_back(r.contains(cols[i].second) ? cell(r[cols[i].second]) : "-");
      width[i] = std::max(width[i], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  auto print_line = [&](const std::vector<std::string>& line) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
      out += line[i];
      if (i + 1 < line.size()) out += std::string(width[i] - line[i].size() + 2, ' ');
    }
    std::cout << out << "\n";
  };
  std::vector<std::string> head;
  for (const auto& [h, k] : cols) head.push_back(h);
  print_line(head);
  for (const auto& l : cells) print_line(l);
}

std::string enc(const std::string& s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

json get_all(const options& o, const std::string& path) {
  return checked_json(request(o, http::verb::get, path + "?limit=" + std::to_string(o.limit)),
                      "GET " + path);
}

int run(options& o) {
  // Defaults from the configuration's [api] section.
  auto loaded =
      config::load(o.config_file.empty() ? std::optional<std::filesystem::path>{}
                                         : std::optional<std::filesystem::path>{o.config_file},
                   {}, {{"serial", ""}});
  if (!loaded.problems.empty()) {
    for (const auto& p : loaded.problems) std::cerr << p.str() << "\n";
    return 2;
  }
  const auto& cfg = *loaded.config;
  if (o.url.empty()) {
    auto ep = cfg.get_endpoint("api.bind");
    std::string host = ep.host;
    if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    o.url = "http://" + host + ":" + std::to_string(ep.port);
  }
  if (o.username.empty()) o.username = cfg.get_string("api.username");
  if (o.password.empty()) o.password = cfg.get_string("api.password");

  const std::string& cmd = o.command;
  if (cmd == "status") {
    auto nodes = checked_json(request(o, http::verb::get, "/api/v5/nodes"), "GET /api/v5/nodes");
    auto stats = checked_json(request(o, http::verb::get, "/api/v5/stats?aggregate=true"),
                              "GET /api/v5/stats");
    auto metrics = checked_json(request(o, http::verb::get, "/api/v5/metrics?aggregate=true"),
                                "GET /api/v5/metrics");
    if (o.json_out) {
      std::cout << json{{"node", nodes.at(0)}, {"stats", stats}, {"metrics", metrics}}.dump(2)
                << "\n";
      return 0;
    }
    const auto& n = nodes.at(0);
    std::cout << "node          " << cell(n["node"]) << "\n"
              << "version       " << cell(n["version"]) << "\n"
              << "status        " << cell(n["node_status"]) << "\n"
              << "uptime        " << n["uptime"].get<int64_t>() / 1000 << "s\n"
              << "memory        " << n["memory_used"].get<uint64_t>() / 1024 << " KB\n"
              << "connections   " << cell(stats["connections.count"]) << "\n"
              << "sessions      " << cell(stats["sessions.count"]) << "\n"
              << "subscriptions " << cell(stats["subscriptions.count"]) << "\n"
              << "retained      " << cell(stats["retained.count"]) << "\n"
              << "messages in   " << cell(metrics["messages.received"]) << "\n"
              << "messages out  " << cell(metrics["messages.sent"]) << "\n"
              << "dropped       " << cell(metrics["messages.dropped"]) << "\n";
    return 0;
  }
  if (cmd == "clients") {
    auto j = get_all(o, "/api/v5/clients");
    if (o.json_out) {
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    print_table(j["data"], {{"CLIENTID", "clientid"},
                            {"USERNAME", "username"},
                            {"PROTOCOL", "proto_name"},
                            {"VER", "proto_ver"},
                            {"IP", "ip_address"},
                            {"PORT", "port"},
                            {"CONNECTED", "connected"},
                            {"SUBS", "subscriptions_cnt"},
                            {"QUEUE", "mqueue_len"},
                            {"INFLIGHT", "inflight_cnt"}});
    return 0;
  }
  if (cmd == "kick") {
    auto r = request(o, http::verb::delete_, "/api/v5/clients/" + enc(o.arg1));
    if (r.status == 204) {
      if (o.json_out)
        std::cout << json{{"kicked", o.arg1}}.dump() << "\n";
      else
        std::cout << "kicked " << o.arg1 << "\n";
      return 0;
    }
    checked_json(r, "kick " + o.arg1);
    return 1;
  }
  if (cmd == "subscriptions") {
    auto j = get_all(o, "/api/v5/subscriptions");
    if (o.json_out) {
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    print_table(j["data"], {{"CLIENTID", "clientid"}, {"TOPIC", "topic"}, {"QOS", "qos"}});
    return 0;
  }
  if (cmd == "publish") {
    json body = {{"topic", o.arg1}, {"payload", o.arg2}, {"qos", o.qos}, {"retain", o.retain}};
    auto j = checked_json(request(o, http::verb::post, "/api/v5/publish", body.dump()), "publish");
    if (o.json_out)
      std::cout << j.dump() << "\n";
    else if (j.contains("reason_code"))
      std::cout << "published " << cell(j["id"]) << " (no matching subscribers)\n";
    else
      std::cout << "published " << cell(j["id"]) << "\n";
    return 0;
  }
  if (cmd == "bridges") {
    auto j = checked_json(request(o, http::verb::get, "/api/v5/bridges"), "GET /api/v5/bridges");
    if (o.json_out) {
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    print_table(j, {{"NAME", "name"}, {"TYPE", "type"}, {"STATUS", "status"}});
    return 0;
  }
  if (cmd == "gateways") {
    // Without a name: every gateway; with one: that gateway's clients.
    if (!o.arg1.empty()) {
      auto j = get_all(o, "/api/v5/gateways/" + enc(o.arg1) + "/clients");
      if (o.json_out) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      print_table(j["data"], {{"CLIENTID", "clientid"},
                              {"USERNAME", "username"},
                              {"IP", "ip_address"},
                              {"PORT", "port"},
                              {"CONNECTED", "connected"},
                              {"SUBS", "subscriptions_cnt"}});
      return 0;
    }
    auto j = checked_json(request(o, http::verb::get, "/api/v5/gateways"), "GET /api/v5/gateways");
    if (o.json_out) {
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    for (auto& g : j) {
      std::string binds;
      for (const auto& l : g.value("listeners", json::array()))
        binds += (binds.empty() ? "" : ",") + l.value("type", "") + ":" + l.value("bind", "");
      g["binds"] = binds.empty() ? json() : json(binds);
    }
    print_table(j, {{"NAME", "name"},
                    {"STATUS", "status"},
                    {"CLIENTS", "current_connections"},
                    {"MAX", "max_connections"},
                    {"RECEIVED", "messages_received"},
                    {"SENT", "messages_sent"},
                    {"DROPPED", "messages_dropped"},
                    {"LISTENERS", "binds"}});
    return 0;
  }
  if (cmd == "banned") {
    if (o.arg1.empty() || o.arg1 == "list") {
      auto j = get_all(o, "/api/v5/banned");
      if (o.json_out) {
        std::cout << j.dump(2) << "\n";
        return 0;
      }
      print_table(j["data"],
                  {{"AS", "as"}, {"WHO", "who"}, {"UNTIL", "until"}, {"REASON", "reason"}});
      return 0;
    }
    throw http_error("unknown banned action " + o.arg1);
  }
  if (cmd == "ban") {
    json body = {{"as", o.arg1}, {"who", o.arg2}, {"by", "edgegw ctl"}};
    if (!o.reason.empty()) body["reason"] = o.reason;
    if (!o.until.empty()) body["until"] = o.until;
    auto j = checked_json(request(o, http::verb::post, "/api/v5/banned", body.dump()), "ban");
    if (o.json_out)
      std::cout << j.dump() << "\n";
    else
      std::cout << "banned " << o.arg1 << " " << o.arg2 << " until " << cell(j["until"]) << "\n";
    return 0;
  }
  if (cmd == "lwm2m") {
    const std::string base = "/api/v5/gateways/lwm2m/clients/" + enc(o.arg1) + "/";
    const std::string what = "lwm2m " + o.lwm2m_op + " " + o.arg1 + " " + o.path;
    if (o.lwm2m_op == "lookup") {
      auto j = checked_json(request(o, http::verb::get,
                                    base + "lookup?path=" + enc(o.path) +
                                        "&action=" + enc(o.extra1.empty() ? "read" : o.extra1)),
                            what);
      if (o.json_out) {
        std::cout << j.dump() << "\n";
        return 0;
      }
      std::cout << cell(j["code"]) << " " << cell(j["codeMsg"]) << "\n";
      if (j.contains("content") && j["content"].is_array() && !j["content"].empty() &&
          j["content"][0].is_object())
        print_table(j["content"], {{"PATH", "path"},
                                   {"VALUE", "value"},
                                   {"NAME", "name"},
                                   {"OPERATIONS", "operations"},
                                   {"TYPE", "dataType"}});
      return 0;
    }
    std::string q = base + o.lwm2m_op + "?path=" + enc(o.path);
    if (o.lwm2m_op == "write") {
      if (o.extra1.empty() || o.extra2.empty())
        throw http_error("lwm2m write needs TYPE and VALUE (e.g. Integer 42)");
      q += "&type=" + enc(o.extra1) + "&value=" + enc(o.extra2);
    } else if (o.lwm2m_op == "observe") {
      const std::string& on = o.extra1.empty() ? std::string("on") : o.extra1;
      if (on != "on" && on != "off") throw http_error("lwm2m observe takes on or off");
      q += std::string("&enable=") + (on == "on" ? "true" : "false");
    }
    auto r = request(o, http::verb::post, q);
    if (r.status != 204) {
      checked_json(r, what);
      throw http_error(what + ": HTTP " + std::to_string(r.status));
    }
    // The device's answer goes to MQTT (lwm2m/{ep}/up/resp) and to `lookup`.
    if (o.json_out)
      std::cout << json{{"sent", o.lwm2m_op}, {"clientid", o.arg1}, {"path", o.path}}.dump()
                << "\n";
    else
      std::cout << "sent " << o.lwm2m_op << " " << o.path << " to " << o.arg1 << "\n";
    return 0;
  }
  if (cmd == "unban") {
    auto r = request(o, http::verb::delete_, "/api/v5/banned/" + enc(o.arg1) + "/" + enc(o.arg2));
    if (r.status == 204) {
      if (!o.json_out) std::cout << "unbanned " << o.arg1 << " " << o.arg2 << "\n";
      return 0;
    }
    checked_json(r, "unban");
    return 1;
  }
  return 2;
}

}  // namespace

std::function<int()> add_subcommand(CLI::App& app) {
  auto o = std::make_shared<options>();
  auto* ctl = app.add_subcommand("ctl", "talk to a running edgegw through its HTTP API");
  ctl->require_subcommand(1);
  ctl->add_option("-c,--config", o->config_file, "ini file whose [api] section gives the defaults")
      ->check(CLI::ExistingFile);
  ctl->add_option("--url", o->url, "API base URL (default: http://<api.bind>)");
  ctl->add_option("-u,--username", o->username, "API user (default: api.username)");
  ctl->add_option("-p,--password", o->password, "API password (default: api.password)");
  ctl->add_flag("--json", o->json_out, "print the API's JSON instead of a table");
  ctl->add_option("--timeout", o->timeout, "seconds to wait for the gateway (default 10)");
  auto sub = [&](const char* name, const char* help) {
    auto* s = ctl->add_subcommand(name, help);
    s->callback([o, s] { o->command = s->get_name(); });
    return s;
  };
  sub("status", "version, uptime, connections, message counts");
  sub("clients", "connected and persistent clients")
      ->add_option("--limit", o->limit, "at most this many (default 1000)");
  sub("kick", "disconnect a client and discard its session")
      ->add_option("clientid", o->arg1, "client id")
      ->required();
  sub("subscriptions", "every subscription")
      ->add_option("--limit", o->limit, "at most this many (default 1000)");
  auto* pub = sub("publish", "publish a message");
  pub->add_option("topic", o->arg1, "topic")->required();
  pub->add_option("payload", o->arg2, "payload (text)");
  pub->add_option("-q,--qos", o->qos, "QoS 0, 1 or 2")->check(CLI::Range(0, 2));
  pub->add_flag("-r,--retain", o->retain, "retain it");
  sub("bridges", "upstream bridges and their state");
  sub("gateways", "protocol gateways (or one gateway's clients)")
      ->add_option("name", o->arg1, "list this gateway's clients (mqttsn, coap, stomp, ...)");
  sub("banned", "the ban list");
  auto* ban = sub("ban", "ban a client id, user name or peer address");
  ban->add_option("as", o->arg1, "clientid | username | peerhost")
      ->required()
      ->check(CLI::IsMember({"clientid", "username", "peerhost"}));
  ban->add_option("who", o->arg2, "the value to ban")->required();
  ban->add_option("--until", o->until, "RFC 3339 time the ban ends (default: never)");
  ban->add_option("--reason", o->reason, "why");
  auto* lw = sub("lwm2m", "LwM2M resources: read, write, observe, lookup the last answer");
  lw->add_option("op", o->lwm2m_op, "read | write | observe | lookup")
      ->required()
      ->check(CLI::IsMember({"read", "write", "observe", "lookup"}));
  lw->add_option("clientid", o->arg1, "the device's endpoint name")->required();
  lw->add_option("path", o->path, "resource path, e.g. /3/0/0")->required();
  lw->add_option("extra1", o->extra1,
                 "write: TYPE (Integer, Float, Time, String, Boolean, Opaque, Objlnk); "
                 "observe: on | off; lookup: the action (default read)");
  lw->add_option("extra2", o->extra2, "write: VALUE");
  auto* unban = sub("unban", "lift a ban");
  unban->add_option("as", o->arg1, "clientid | username | peerhost")->required();
  unban->add_option("who", o->arg2, "the banned value")->required();
  return [o, ctl]() -> int {
    if (!ctl->parsed()) return -1;
    try {
      return run(*o);
    } catch (const std::exception& e) {
      std::cerr << "edgegw ctl: " << e.what() << "\n";
      return 1;
    }
  };
}

}  // namespace edgegw::ctl
