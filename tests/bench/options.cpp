// parse_options: the command line of edgegw_bench (see options.hpp).
#include "tests/bench/options.hpp"

#include <charconv>
#include <cstdio>
#include <string_view>

namespace edgegw::bench {
namespace {

constexpr const char* usage_text = R"(usage: edgegw_bench --scenario NAME [options]
MQTT 3.1.1 load generator (one thread). Prints "MARK start" / "MARK end" around the measured
window (conns: "READY N" once connected), then one JSON line of results.

scenarios:
  fanin     N publishers -> 1 subscriber on PREFIX/#, as fast as possible
  fanout    1 publisher -> N subscribers on PREFIX/fanout, as fast as possible
  latency   publishers at a fixed total --rate -> 1 subscriber; latency percentiles
  conns     open --connections idle connections and hold them (stdin EOF or --hold)

options:
  --host ADDR          broker address (127.0.0.1)
  --port N             broker port (1883)
  --qos 0|1            QoS of publishes and subscriptions (0)
  --publishers N       fanin: 50 at QoS 0, 10 at QoS 1; latency: 10
  --subscribers N      fanout: 50
  --payload BYTES      payload size, at least 20 (64)
  --duration S         measured seconds (10)
  --warmup S           seconds of traffic before the measured window (1)
  --drain S            longest wait for the last deliveries (10)
  --rate N             latency: messages per second, all publishers together (5000)
  --inflight N         QoS 1: unacknowledged messages per publisher (16)
  --window N           QoS 0 flood: messages per publisher not yet seen by every
                       subscriber (1000)
  --batch-bytes N      QoS 0 flood: bytes per write (16384)
  --topic-prefix P     (bench)    --client-prefix P   client id prefix (ebench)
  --quickack           subscribers acknowledge TCP segments at once (TCP_QUICKACK) instead
                       of delaying ACKs as ordinary clients do
  --keepalive S        MQTT keepalive; 0 disables (60, conns: 0)
  --connections N      conns: how many (20000)
  --connect-batch N    conns: connection attempts in flight at once (100)
  --source-addrs N     conns: spread over 127.0.0.2.. N addresses (0: one per 10,000)
  --hold S             conns: hold this long instead of until stdin EOF (0)
)";

template <class T>
bool parse_int(std::string_view s, T& out, long long lo, long long hi) {
  long long v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  out = static_cast<T>(v);
  return true;
}

bool parse_double(std::string_view s, double& out, double lo, double hi) {
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !(v >= lo && v <= hi)) return false;
  out = v;
  return true;
}

bool apply(options& o, std::string_view key, std::string_view v, bool& keepalive_set) {
  constexpr long long big = 10'000'000;
  if (key == "scenario") {
    o.scenario = v;
    return v == "fanin" || v == "fanout" || v == "latency" || v == "conns";
  }
  if (key == "host") return o.host = v, !v.empty();
  if (key == "port") return parse_int(v, o.port, 1, 65535);
  if (key == "qos") return parse_int(v, o.qos, 0, 1);
  if (key == "publishers") return parse_int(v, o.publishers, 1, 10000);
  if (key == "subscribers") return parse_int(v, o.subscribers, 1, 10000);
  if (key == "payload") return parse_int(v, o.payload, 20, 1 << 20);
  if (key == "duration") return parse_double(v, o.duration, 0.1, 86400);
  if (key == "warmup") return parse_double(v, o.warmup, 0, 3600);
  if (key == "drain") return parse_double(v, o.drain, 0, 3600);
  if (key == "rate") return parse_double(v, o.rate, 1, 1e8);
  if (key == "inflight") return parse_int(v, o.inflight, 1, 65535);
  if (key == "window") return parse_int(v, o.window, 1, big);
  if (key == "batch-bytes") return parse_int(v, o.batch_bytes, 1, 64 << 20);
  if (key == "topic-prefix") return o.topic_prefix = v, !v.empty();
  if (key == "client-prefix") return o.client_prefix = v, !v.empty();
  if (key == "quickack") {
    o.quickack = v == "1" || v == "true";
    return o.quickack || v == "0" || v == "false";
  }
  if (key == "keepalive") return keepalive_set = true, parse_int(v, o.keepalive, 0, 65535);
  if (key == "connections") return parse_int(v, o.connections, 1, big);
  if (key == "connect-batch") return parse_int(v, o.connect_batch, 1, big);
  if (key == "source-addrs") return parse_int(v, o.source_addrs, 0, 250);
  if (key == "hold") return parse_double(v, o.hold, 0, 86400 * 365);
  return false;
}

}  // namespace

std::optional<options> parse_options(int argc, char** argv, int& exit_code) {
  options o;
  bool keepalive_set = false;
  exit_code = 2;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage_text, stdout);
      exit_code = 0;
      return std::nullopt;
    }
    if (arg.substr(0, 2) != "--") {
      std::fprintf(stderr, "edgegw_bench: unexpected argument '%s' (see --help)\n", argv[i]);
      return std::nullopt;
    }
    arg.remove_prefix(2);
    std::string_view key = arg;
    std::string_view value;
    if (const auto eq = arg.find('='); eq != std::string_view::npos) {
      key = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (key == "quickack") {
      value = "true";  // a flag: no value needed
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::fprintf(stderr, "edgegw_bench: --%s needs a value\n", argv[i] + 2);
      return std::nullopt;
    }
    if (!apply(o, key, value, keepalive_set)) {
      std::fprintf(stderr, "edgegw_bench: bad option --%.*s=%.*s (see --help)\n",
                   static_cast<int>(key.size()), key.data(), static_cast<int>(value.size()),
                   value.data());
      return std::nullopt;
    }
  }
  if (o.scenario.empty()) {
    std::fprintf(stderr, "edgegw_bench: --scenario is required (see --help)\n");
    return std::nullopt;
  }
  if (o.publishers == 0) o.publishers = o.scenario == "fanin" && o.qos == 0 ? 50 : 10;
  if (o.scenario == "fanout") o.publishers = 1;
  if (o.subscribers == 0) o.subscribers = o.scenario == "fanout" ? 50 : 1;
  if (o.scenario != "fanout") o.subscribers = 1;
  if (o.scenario == "conns" && !keepalive_set) o.keepalive = 0;
  return o;
}

}  // namespace edgegw::bench
