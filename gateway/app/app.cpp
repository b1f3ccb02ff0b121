// See app.hpp. Start-up order matters: config, logging, data dir, store load, broker
// restore, listeners, then READY. Shutdown runs in reverse on SIGTERM/SIGINT.
#include "app.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>
#include <system_error>

#include "board/device_identity.hpp"
#include "bridge/bridge_service.hpp"
#include "board/sd_notify.hpp"
#include "board/appliance.hpp"
#include "board/profile.hpp"
#include "gateway/acl/acl_authorizer.hpp"
#include "gateway/authn/authn_from_config.hpp"
#include "gateway/config/config.hpp"
#include "gateway/core/broker_core.hpp"
#include "gateway/http_api/api_service.hpp"
#include "gateway/api/log.hpp"
#include "gateway/net/io_pool.hpp"
#include "gateway/net/service.hpp"
#include "gateway/net/tcp_listener.hpp"
#include "gateway/net/tls/psk_config.hpp"
#include "logging.hpp"
#include "ops_service.hpp"
#include "protocols/mqtt/adapter/connection.hpp"
#include "protocols/mqtt/tls/tls_connection.hpp"
#include "protocols/mqtt/tls/wss_connection.hpp"
#include "protocols/mqtt/ws/ws_connection.hpp"
#include "protocols/mqttsn/adapter/service.hpp"
#include "protocols/coap/gateway/coap_service.hpp"
#include "protocols/lwm2m/gateway/lwm2m_service.hpp"
#include "protocols/stomp/adapter/service.hpp"
#include "settings_from_config.hpp"

#ifndef EDGEGW_VERSION
#define EDGEGW_VERSION "0.0.0"
#endif

namespace edgegw::app {

const char* version() {
  return EDGEGW_VERSION;
}

namespace {

int fail(const std::string& why) {
  std::cerr << "edgegw: " << why << "\n";
  return 1;
}

// A TLS listener's context (certificate, key, client-certificate policy, pre-shared keys);
// throws with a one-line reason naming the key and file when they cannot be used.
mqtt::tls_listener_options tls_options_from(
    const config::values& cfg, const std::string& kind, const std::string& name,
    std::vector<std::pair<std::string, std::function<std::string()>>>& reloaders) {
  const std::string p = "listener." + kind + "." + name + ".";
  net::tls::context_options o;
  o.key_prefix = p;
  o.certfile = cfg.get_path(p + "certfile").string();
  o.keyfile = cfg.get_path(p + "keyfile").string();
  o.cacertfile = cfg.get_path(p + "cacertfile").string();
  o.verify = cfg.get_string(p + "verify") == "peer" ? net::tls::verify_mode::peer
                                                    : net::tls::verify_mode::none;
  o.fail_if_no_peer_cert = cfg.get_bool(p + "fail_if_no_peer_cert");
  o.ciphers = cfg.get_string(p + "ciphers");
  o.min_version = cfg.get_string(p + "tls_min_version");
  const auto& as_username = cfg.get_string(p + "peer_cert_as_username");
  o.identity = as_username == "cn"    ? net::tls::cert_identity::cn
               : as_username == "san" ? net::tls::cert_identity::san
               : as_username == "dn"  ? net::tls::cert_identity::dn
                                      : net::tls::cert_identity::none;
  if (auto src = net::tls::psk_source_from_config(cfg, "listener." + kind + "." + name);
      !src.empty()) {
    o.psk = std::make_shared<net::tls::psk_store>(src.load());
    // SIGHUP re-reads psk_file (the inline pair and the file's name change at restart).
    if (!src.file.empty())
      reloaders.emplace_back(src.section + ".psk_file", [src, store = o.psk]() -> std::string {
        try {
          store->replace(src.load());
          return {};
        } catch (const std::exception& e) {
          return e.what();
        }
      });
  }
  o.psk_identity_as_username = cfg.get_bool(p + "psk_identity_as_username");
  mqtt::tls_listener_options t;
  t.context = std::make_shared<const net::tls::server_context>(o);
  t.handshake_timeout = cfg.get_duration(p + "handshake_timeout");
  return t;
}

}  // namespace

int run(const options& opts) {
  // [board]: the profile's defaults and ${serial} are applied while loading.
  auto loaded = board::load_config(opts.config_file, opts.overrides).loaded;
  if (!loaded.problems.empty()) {
    for (const auto& p : loaded.problems) std::cerr << p.str() << "\n";
    return 2;
  }
  const config::values& cfg = *loaded.config;
  if (opts.check_only) {
    // The ACL file belongs to the configuration: its problems are listed the same way.
    if (auto f = cfg.get_path("auth.acl_file"); !f.empty()) {
      auto acl_file = acl::load(f);
      for (const auto& e : acl_file.errors) std::cerr << e << "\n";
      if (!acl_file.rules) return 2;
    }
    std::cout << (opts.config_file ? opts.config_file->string() : std::string("built-in defaults"))
              << ": ok\n";
    return 0;
  }
  if (auto e = setup_logging(cfg.get_string("log.level"), cfg.get_string("log.target"),
                             cfg.get_path("log.file").string());
      !e.empty())
    return fail(e);
  auto log = log::get("app");
  // systemd notification and watchdog, hardware watchdog, status LED ([board]).
  board::appliance appliance;
  if (auto e = appliance.open(cfg); !e.empty()) return fail(e);

  // SIGHUP re-reads what can change without dropping connections (password file, ACL file,
  // ...): each module that can reload adds one function here. A reload that fails keeps the
  // old state and logs why.
  std::vector<std::pair<std::string, std::function<std::string()>>> reloaders;

  auto core_cfg = core_settings_from(cfg);
  core_cfg.version = version();

  // Durable state.
  std::unique_ptr<store::durable_store> store;
  if (cfg.get_bool("persistence.enable")) {
    auto dir = cfg.get_path("node.data_dir");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return fail("cannot create node.data_dir " + dir.string() + ": " + ec.message());
    store = store::make_sqlite_store(store_options_from(cfg));
  } else {
    store = store::make_null_store();
  }
  auto state = store->load();
  if (!state) return fail(state.error().message());

  auto pool =
      std::make_unique<net::io_pool>(static_cast<std::size_t>(cfg.get_int("node.io_threads")));
  auto broker = std::make_unique<core::broker_core>(core_cfg, pool->main().get_executor(), *store);
  broker->restore(std::move(state).value());
  // Topic authorization ([auth] ACL file and $SYS rules); SIGHUP re-reads the file.
  try {
    if (auto acl = acl::make_authorizer(cfg)) {
      broker->set_authorizer(acl);
      if (!acl->options().file.empty())
        reloaders.emplace_back("acl_file", [acl] { return acl->reload(); });
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  // Authentication: lists, password file, certificate identity, HTTP hook (gateway/authn).
  try {
    auto chain = authn::make_auth_chain(cfg, pool->main().get_executor());
    broker->set_authenticator(chain);
    reloaders.emplace_back("auth", authn::make_reloader(chain, [&opts](std::string* why) {
                             auto l = board::load_config(opts.config_file, opts.overrides).loaded;
                             if (l.problems.empty()) return std::move(l.config);
                             *why = l.problems.front().str();
                             return std::optional<config::values>{};
                           }));
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  // Listeners.
  std::vector<std::shared_ptr<net::tcp_listener>> listeners;
  std::string ports;
  try {
    for (const auto& name : cfg.instances("listener.tcp")) {
      std::string p = "listener.tcp." + name + ".";
      if (!cfg.get_bool(p + "enable")) continue;
      auto settings =
          std::make_shared<const mqtt::settings>(mqtt_settings_from(cfg, core_cfg, "tcp", name));
      const auto& ep = cfg.get_endpoint(p + "bind");
      auto* b = broker.get();
      auto l = std::make_shared<net::tcp_listener>(
          *pool, "tcp:" + name, ep.host, ep.port,
          static_cast<std::size_t>(cfg.get_int(p + "max_connections")),
          [settings, b](boost::asio::ip::tcp::socket s, net::connection_token token) {
            mqtt::start_connection(std::move(s), settings, *b, std::move(token));
          });
      listeners.push_back(l);
    }
    for (const auto& name : cfg.instances("listener.ssl")) {
      std::string p = "listener.ssl." + name + ".";
      if (!cfg.get_bool(p + "enable")) continue;
      auto settings =
          std::make_shared<const mqtt::settings>(mqtt_settings_from(cfg, core_cfg, "ssl", name));
      mqtt::tls_listener_options tls = tls_options_from(cfg, "ssl", name, reloaders);
      const auto& ep = cfg.get_endpoint(p + "bind");
      auto* b = broker.get();
      listeners.push_back(std::make_shared<net::tcp_listener>(
          *pool, "ssl:" + name, ep.host, ep.port,
          static_cast<std::size_t>(cfg.get_int(p + "max_connections")),
          [settings, b, tls](boost::asio::ip::tcp::socket s, net::connection_token token) {
            mqtt::start_tls_connection(std::move(s), tls, settings, *b, std::move(token));
          }));
    }
    for (const auto& name : cfg.instances("listener.wss")) {
      std::string p = "listener.wss." + name + ".";
      if (!cfg.get_bool(p + "enable")) continue;
      auto settings =
          std::make_shared<const mqtt::settings>(mqtt_settings_from(cfg, core_cfg, "wss", name));
      mqtt::tls_listener_options tls = tls_options_from(cfg, "wss", name, reloaders);
      const auto& ep = cfg.get_endpoint(p + "bind");
      auto* b = broker.get();
      auto path = cfg.get_string(p + "path");
      listeners.push_back(std::make_shared<net::tcp_listener>(
          *pool, "wss:" + name, ep.host, ep.port,
          static_cast<std::size_t>(cfg.get_int(p + "max_connections")),
          [settings, b, tls, path](boost::asio::ip::tcp::socket s, net::connection_token token) {
            mqtt::start_wss_connection(std::move(s), tls, settings, *b, path, std::move(token));
          }));
    }
    for (const auto& name : cfg.instances("listener.ws")) {
      std::string p = "listener.ws." + name + ".";
      if (!cfg.get_bool(p + "enable")) continue;
      auto settings =
          std::make_shared<const mqtt::settings>(mqtt_settings_from(cfg, core_cfg, "ws", name));
      const auto& ep = cfg.get_endpoint(p + "bind");
      auto* b = broker.get();
      auto path = cfg.get_string(p + "path");
      listeners.push_back(std::make_shared<net::tcp_listener>(
          *pool, "ws:" + name, ep.host, ep.port,
          static_cast<std::size_t>(cfg.get_int(p + "max_connections")),
          [settings, b, path](boost::asio::ip::tcp::socket s, net::connection_token token) {
            mqtt::start_ws_connection(std::move(s), settings, *b, path, std::move(token));
          }));
    }
  } catch (const std::exception& e) {  // a bind failure, an unusable certificate or key
    return fail(e.what());
  }
  for (auto& l : listeners) {
    // "tcp:default" -> listener.tcp.default.max_conn_rate
    auto colon = l->name().find(':');
    l->set_max_conn_rate(cfg.get_double("listener." + l->name().substr(0, colon) + "." +
                                        l->name().substr(colon + 1) + ".max_conn_rate"));
    l->start();
    auto where = net::to_string(l->local_endpoint());
    log->info("listening listener={} address={}", l->name(), where);
    if (!ports.empty()) ports += ';';
    ports += l->name() + "=" + where;
  }

  // Protocol gateways and bridges: each module's factory reads its own sections and
  // returns nullptr when disabled. Started after the MQTT listeners, stopped before the
  // broker shuts down.
  std::vector<std::unique_ptr<net::service>> services;
  try {
    // (gateways and bridges are added here, one line each)
    if (auto s = mqttsn::make_service(cfg, *pool, *broker)) services.push_back(std::move(s));
    if (auto s = coap::make_service(cfg, *broker, *pool)) services.push_back(std::move(s));
    if (auto s = lwm2m::make_service(cfg, *broker, *pool)) services.push_back(std::move(s));
    if (auto s = bridge::make_bridges(cfg, *broker, *pool)) services.push_back(std::move(s));
    if (auto s = stomp::make_service(cfg, *pool, *broker)) services.push_back(std::move(s));
    services.push_back(make_ops_service(cfg, *broker, pool->main(), appliance, services));
    if (auto api = http_api::make_service(cfg, *pool, *broker, listeners, services))
      services.push_back(std::move(api));
    for (auto& s : services) {
      s->start();
      for (const auto& [name, where] : s->endpoints()) {
        log->info("listening listener={} address={}", name, where);
        if (!ports.empty()) ports += ';';
        ports += name + "=" + where;
      }
    }
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  broker->start();

  // Signals: SIGTERM/SIGINT stop cleanly; SIGHUP runs the reloaders.
  auto signals_ptr =
      std::make_unique<boost::asio::signal_set>(pool->main(), SIGTERM, SIGINT, SIGHUP);
  auto& signals = *signals_ptr;
  std::function<void()> wait_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        if (reloaders.empty()) log->info("sighup reloaded=none");
        for (const auto& [what, reload] : reloaders) {
          // A reloader returns "" on success or why the old state was kept.
          if (auto e = reload(); e.empty())
            log->info("reloaded what={}", what);
          else
            log->error("reload_failed what={} error=\"{}\" kept=previous", what, e);
        }
        wait_signal();
        return;
      }
      log->info("stopping signal={}", sig);
      appliance.stopping();
      for (auto& l : listeners) l->stop();
      for (auto& s : services) s->stop();
      broker->shutdown();  // closes every connection, flushes the store
      // Let connections send their DISCONNECT and close, then stop the threads.
      auto grace =
          std::make_shared<boost::asio::steady_timer>(pool->main(), std::chrono::milliseconds(300));
      grace->async_wait([&, grace](const boost::system::error_code&) { pool->stop(); });
    });
  };
  wait_signal();

  appliance.ready(pool->main(), "EDGEGW_LISTENERS=" + ports);
  log->info("ready version={} node={} io_threads={}", version(), core_cfg.node_name, pool->size());
  pool->run();

  // Order: connections (held by the io_contexts) go before the broker they point to; the
  // store goes last, flushing what the shutdown wrote.
  signals_ptr.reset();  // Asio objects go before the io_context they live on
  services.clear();
  pool.reset();
  broker.reset();
  store->flush();
  store.reset();
  appliance.stopped();
  log->info("stopped");
  return 0;
}

}  // namespace edgegw::app
