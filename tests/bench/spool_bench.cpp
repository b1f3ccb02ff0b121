// spool_bench: throughput and write amplification of the bridge spool with the uplink down.
// Appends N QoS 1 messages (64-byte payloads, 20-byte topics) as fast as one thread can,
// waits until all are durable, and reports msgs/s, fsyncs, and bytes written to storage
// per message and as a ratio to topic+payload bytes: counted by the kernel
// (/proc/self/io write_bytes), by the spool, and as the segment files' sizes. Then it
// reopens the spool (recovery time) and drains it: read + ack in batches, as the bridge
// does once the uplink is back. Prints one JSON line at the end.
//
// With --rate R the appends are paced at R msg/s instead (a steady stream while the
// uplink is down), which shows the cost of small group commits.
//
//   spool_bench [--messages N] [--dir DIR] [--sync off|normal|full] [--payload BYTES]
//               [--rate MSGS_PER_S] [--flush-ms MS]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

#include "bridge/spool/spool.hpp"
#include "tests/bench/json_line.hpp"

namespace {

using namespace edgegw;
using clock_type = std::chrono::steady_clock;

uint64_t proc_write_bytes() {
  std::ifstream io("/proc/self/io");
  std::string key;
  uint64_t v = 0;
  while (io >> key >> v) {
    if (key == "write_bytes:") return v;
  }
  return 0;
}

uint64_t dir_bytes(const std::filesystem::path& dir) {
  uint64_t n = 0;
  for (const auto& de : std::filesystem::directory_iterator(dir)) {
    if (de.is_regular_file()) n += de.file_size();
  }
  return n;
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

int usage() {
  std::fprintf(stderr,
               "usage: spool_bench [--messages N] [--dir DIR] [--sync off|normal|full] "
               "[--payload BYTES] [--rate MSGS_PER_S] [--flush-ms MS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 200'000;
  std::size_t payload = 64;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("spool_bench-" + std::to_string(::getpid()));
  bridge::spool_options o;
  std::string sync_name = "normal";
  double rate = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string v = argv[++i];
    if (a == "--messages") {
      n = std::stoull(v);
    } else if (a == "--dir") {
      dir = v;
    } else if (a == "--flush-ms") {
      o.flush_interval = std::chrono::milliseconds(std::stoul(v));
    } else if (a == "--rate") {
      rate = std::stod(v);
    } else if (a == "--payload") {
      payload = std::stoul(v);
    } else if (a == "--sync") {
      sync_name = v;
      if (v == "off") {
        o.sync = bridge::spool_sync::off;
      } else if (v == "normal") {
        o.sync = bridge::spool_sync::normal;
      } else if (v == "full") {
        o.sync = bridge::spool_sync::full;
      } else {
        return usage();
      }
    } else {
      return usage();
    }
  }
  std::filesystem::remove_all(dir);
  o.dir = dir;
  o.max_messages = n;
  o.max_bytes = n * (payload + 256);

  // Messages built up front: the bench measures the spool, not message construction.
  std::vector<message_ptr> msgs;
  msgs.reserve(n);
  uint64_t user_bytes = 0;
  for (uint64_t i = 0; i < n; ++i) {
    message m;
    char topic[32];
    std::snprintf(topic, sizeof topic, "bench/device/%07llu",
                  static_cast<unsigned long long>(i % 1000));
    m.topic = topic;
    m.payload.assign(payload, 'p');
    const std::string seq = std::to_string(i);
    std::memcpy(m.payload.data(), seq.data(), std::min(seq.size(), payload));
    m.qos = 1;
    user_bytes += m.topic.size() + m.payload.size();
    msgs.push_back(make_message(std::move(m)));
  }

  auto opened = bridge::spool::open(o, nullptr);
  if (!opened) {
    std::fprintf(stderr, "spool_bench: cannot open %s: %s\n", dir.c_str(),
                 opened.error().message().c_str());
    return 1;
  }
  auto sp = std::move(opened.value());
  std::atomic<uint64_t> durable{0};
  const uint64_t io0 = proc_write_bytes();
  const auto t0 = clock_type::now();
  for (uint64_t i = 0; i < n; ++i) {
    if (rate > 0 && i % 10 == 0) {  // pacing, in steps of 10 messages
      std::this_thread::sleep_until(
          t0 + std::chrono::duration_cast<clock_type::duration>(
                   std::chrono::duration<double>(static_cast<double>(i) / rate)));
    }
    sp->append(msgs[i], [&durable] { durable.fetch_add(1); });
  }
  const double append_s = seconds_since(t0);
  sp->flush();
  const double durable_s = seconds_since(t0);
  const auto st = sp->stats();
  const uint64_t io_append = proc_write_bytes() - io0;
  const uint64_t files = dir_bytes(dir);
  if (durable.load() != n || st.depth != n) {
    std::fprintf(stderr, "spool_bench: only %llu of %llu durable (depth %llu)\n",
                 static_cast<unsigned long long>(durable.load()),
                 static_cast<unsigned long long>(n), static_cast<unsigned long long>(st.depth));
    return 1;
  }
  sp.reset();

  // Recovery, then the drain as the bridge does it: read a window, ack it.
  const auto t1 = clock_type::now();
  bridge::spool_open_report rep;
  auto reopened = bridge::spool::open(o, &rep);
  if (!reopened) return 1;
  const double recover_s = seconds_since(t1);
  sp = std::move(reopened.value());
  const uint64_t io1 = proc_write_bytes();
  const auto t2 = clock_type::now();
  std::vector<bridge::spool_entry> out;
  uint64_t after = 0, drained = 0;
  for (;;) {
    out.clear();
    if (sp->read(after, out, 1024) == 0) break;
    for (const auto& e : out) {
      sp->ack(e.seq);
      after = e.seq;
    }
    drained += out.size();
  }
  sp->flush();
  const double drain_s = seconds_since(t2);
  const uint64_t io_drain = proc_write_bytes() - io1;
  const auto st2 = sp->stats();
  sp.reset();
  std::filesystem::remove_all(dir);

  const double per_msg = static_cast<double>(io_append) / static_cast<double>(n);
  const double user_per_msg = static_cast<double>(user_bytes) / static_cast<double>(n);
  std::printf("sync=%s messages=%llu payload=%zu topic=%zu rate=%s\n", sync_name.c_str(),
              static_cast<unsigned long long>(n), payload, msgs[0]->topic.size(),
              rate > 0 ? std::to_string(static_cast<uint64_t>(rate)).c_str() : "max");
  std::printf("append: %.0f msg/s (calls %.0f msg/s), durable in %.3f s, fsyncs %llu\n",
              static_cast<double>(n) / durable_s, static_cast<double>(n) / append_s, durable_s,
              static_cast<unsigned long long>(st.fsyncs));
  std::printf(
      "written: %.1f B/msg by the kernel (%.3fx topic+payload), %.1f B/msg by the "
      "spool, files %.1f B/msg (%.3fx)\n",
      per_msg, per_msg / user_per_msg,
      static_cast<double>(st.bytes_written) / static_cast<double>(n),
      static_cast<double>(files) / static_cast<double>(n),
      static_cast<double>(files) / static_cast<double>(user_bytes));
  std::printf(
      "recovery: %.3f s for %llu records; drain: %.0f msg/s (%llu read+acked), "
      "%.2f B/msg written, fsyncs %llu\n",
      recover_s, static_cast<unsigned long long>(rep.recovered),
      static_cast<double>(drained) / drain_s, static_cast<unsigned long long>(drained),
      static_cast<double>(io_drain) / static_cast<double>(n),
      static_cast<unsigned long long>(st2.fsyncs));
  edgegw::bench::json_line j;
  j.add("sync", sync_name)
      .add("rate", rate)
      .add("flush_ms", static_cast<uint64_t>(o.flush_interval.count()))
      .add("messages", n)
      .add("append_msgs_per_s", static_cast<double>(n) / durable_s)
      .add("append_fsyncs", st.fsyncs)
      .add("kernel_write_bytes_per_msg", per_msg)
      .add("kernel_write_ratio", per_msg / user_per_msg)
      .add("spool_bytes_written_per_msg",
           static_cast<double>(st.bytes_written) / static_cast<double>(n))
      .add("file_bytes_ratio", static_cast<double>(files) / static_cast<double>(user_bytes))
      .add("recovery_s", recover_s)
      .add("drain_msgs_per_s", static_cast<double>(drained) / drain_s)
      .add("drain_write_bytes_per_msg", static_cast<double>(io_drain) / static_cast<double>(n));
  std::printf("%s\n", j.str().c_str());
  return drained == n ? 0 : 1;
}
