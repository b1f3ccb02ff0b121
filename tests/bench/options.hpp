// Command line of edgegw_bench. Defaults that depend on the scenario (how many publishers and
// subscribers, the keepalive) are resolved by parse_options, so scenarios read plain values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace edgegw::bench {

struct options {
  std::string scenario;  // fanin | fanout | latency | conns
  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  int qos = 0;
  int publishers = 0;
  int subscribers = 0;
  std::size_t payload = 64;
  double duration = 10;  // seconds measured
  double warmup = 1;     // seconds of traffic before the measured window
  double drain = 10;     // at most this long to wait for the last deliveries
  double rate = 5000;    // latency: total messages per second
  int inflight = 16;     // QoS 1: unacknowledged messages per publisher
  // QoS 0 flood: messages per publisher sent but not yet seen by every subscriber. Without it
  // the kernel's autotuned socket buffers (megabytes per connection) would hold the backlog,
  // and a broker would keep working off a previous run's data long after it ended.
  int window = 1000;
  std::size_t batch_bytes = 16 * 1024;  // QoS 0 flood: bytes queued per write
  std::string topic_prefix = "bench";
  std::string client_prefix = "ebench";
  std::uint16_t keepalive = 60;
  bool quickack = false;  // subscribers ACK every segment at once (TCP_QUICKACK)
  // conns
  int connections = 20000;
  // Connections being set up at once. Not above 100, mosquitto's listen backlog: an overflowing
  // accept queue drops SYNs, and their 1 s retransmission would be what gets measured.
  int connect_batch = 100;
  int source_addrs = 0;  // 0: one loopback source address per 10,000 connections
  double hold = 0;       // 0: hold until stdin reaches EOF
};

// Parses argv; on error or --help prints to stderr/stdout and returns nullopt with `exit_code`
// set (0 for --help, 2 for a usage error).
std::optional<options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace edgegw::bench
