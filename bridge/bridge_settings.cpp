#include "bridge_settings.hpp"

#include <fstream>
#include <stdexcept>

#include "gateway/api/topic.hpp"
#include "gateway/config/config.hpp"
#include "topic_map.hpp"

namespace edgegw::bridge {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    auto item = text.substr(start, comma - start);
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
    start = comma + 1;
  }
  return out;
}

[[noreturn]] void refuse(const config::values& cfg, const std::string& key,
                         const std::string& why) {
  throw std::runtime_error(key + " (" + cfg.origin_of(key).str() + "): " + why);
}

void check_readable(const config::values& cfg, const std::string& key, const std::string& path) {
  if (path.empty()) return;
  std::ifstream f(path);
  if (!f) refuse(cfg, key, "cannot read " + path);
}

bridge_settings one(const config::values& cfg, const std::string& name) {
  const std::string p = "bridge." + name + ".";
  bridge_settings b;
  b.name = name;
  b.server = cfg.get_string(p + "server");
  if (b.server.empty())
    refuse(cfg, p + "server", "required: mqtt://HOST:PORT or mqtts://HOST:PORT");
  b.tls = b.server.rfind("mqtts://", 0) == 0;
  b.server_uri = (b.tls ? "ssl://" : "tcp://") + b.server.substr(b.server.find("://") + 3);
  b.clientid = cfg.get_string(p + "clientid");
  if (b.clientid.empty()) b.clientid = cfg.get_string("node.name") + "-bridge-" + name;
  if (b.clientid.size() > 65535 || !valid_utf8(b.clientid))
    refuse(cfg, p + "clientid", "must be valid UTF-8 of at most 65535 bytes");
  b.username = cfg.get_string(p + "username");
  b.password = cfg.get_string(p + "password");
  b.proto_ver = static_cast<int>(cfg.get_int(p + "proto_ver"));
  b.keepalive = std::chrono::duration_cast<std::chrono::seconds>(cfg.get_duration(p + "keepalive"));
  b.connect_timeout = cfg.get_duration(p + "connect_timeout");
  b.clean_start = cfg.get_bool(p + "clean_start");
  b.session_expiry = static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(cfg.get_duration(p + "session_expiry"))
          .count());
  b.forward = split_list(cfg.get_string(p + "forward"));
  b.remote_prefix = cfg.get_string(p + "remote_prefix");
  b.subscribe = split_list(cfg.get_string(p + "subscribe"));
  b.local_prefix = cfg.get_string(p + "local_prefix");
  if (auto e = check_prefix(b.remote_prefix); !e.empty()) refuse(cfg, p + "remote_prefix", e);
  if (auto e = check_prefix(b.local_prefix); !e.empty()) refuse(cfg, p + "local_prefix", e);
  // The prefix applies to the topics, so check it against the filters it will meet.
  if (auto e = check_filters(b.forward, {}, false); !e.empty()) refuse(cfg, p + "forward", e);
  if (auto e = check_filters(b.forward, b.remote_prefix, false); !e.empty())
    refuse(cfg, p + "remote_prefix", e);
  if (auto e = check_filters(b.subscribe, {}, true); !e.empty()) refuse(cfg, p + "subscribe", e);
  if (auto e = check_filters(b.subscribe, b.local_prefix, true); !e.empty())
    refuse(cfg, p + "local_prefix", e);
  b.qos = static_cast<uint8_t>(cfg.get_int(p + "qos"));
  b.keep_retain = cfg.get_string(p + "retain") == "keep";
  // Each connection starts a fresh client whose packet ids start over; a remote session
  // that still holds QoS 2 ids awaiting PUBREL would take a new message as a duplicate.
  if (b.qos == 2 && !b.clean_start)
    refuse(cfg, p + "qos", "2 needs clean_start = true (use qos = 1 with a persistent session)");
  b.reconnect_min = cfg.get_duration(p + "reconnect_min");
  b.reconnect_max = cfg.get_duration(p + "reconnect_max");
  if (b.reconnect_max < b.reconnect_min)
    refuse(cfg, p + "reconnect_max", "must not be less than reconnect_min");
  b.max_inflight = static_cast<uint16_t>(cfg.get_int(p + "max_inflight"));
  b.spool_dir = cfg.get_path("node.data_dir") / "bridge" / name;
  b.spool_max_bytes = cfg.get_size(p + "spool_max_bytes");
  b.spool_max_messages = static_cast<uint64_t>(cfg.get_int(p + "spool_max_messages"));
  b.spool_drop_newest = cfg.get_string(p + "spool_overflow") == "drop_newest";
  b.spool_sync = cfg.get_string("persistence.sync");
  b.spool_flush_interval = cfg.get_duration("persistence.flush_interval");
  b.cacertfile = cfg.get_path(p + "cacertfile").string();
  b.certfile = cfg.get_path(p + "certfile").string();
  b.keyfile = cfg.get_path(p + "keyfile").string();
  b.verify = cfg.get_bool(p + "verify");
  if (!b.tls) {
    for (const char* k : {"cacertfile", "certfile", "keyfile"}) {
      if (!cfg.get_path(p + k).empty())
        refuse(cfg, p + k, "only used with an mqtts:// server (server is " + b.server + ")");
    }
  } else {
    if (b.verify && b.cacertfile.empty())
      refuse(cfg, p + "cacertfile",
             "required to verify the mqtts:// server (or set verify = false, which trusts any "
             "server)");
    if (b.certfile.empty() != b.keyfile.empty())
      refuse(cfg, p + (b.certfile.empty() ? "certfile" : "keyfile"),
             "certfile and keyfile go together");
    check_readable(cfg, p + "cacertfile", b.cacertfile);
    check_readable(cfg, p + "certfile", b.certfile);
    check_readable(cfg, p + "keyfile", b.keyfile);
  }
  return b;
}

}  // namespace

std::vector<bridge_settings> bridge_settings_from(const config::values& cfg) {
  std::vector<bridge_settings> out;
  for (const auto& name : cfg.instances("bridge")) {
    if (!cfg.get_bool("bridge." + name + ".enable")) continue;
    out.push_back(one(cfg, name));
  }
  return out;
}

}  // namespace edgegw::bridge
