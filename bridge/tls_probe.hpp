// Why a TLS connect to the upstream failed, in OpenSSL's words. paho.mqtt.cpp 1.2's TLS
// error callback is unusable (async_client::connect takes its options by value and hands
// paho C a context pointer into that temporary, so the callback runs on a dead object), and
// paho itself only reports a generic failure. So after a failed TLS connect the link repeats
// the handshake once with the same CA, client certificate and verification settings through
// Boost.Asio's OpenSSL stream and reports its reason (e.g. "certificate verify failed").
// Owner: the io_context given; cancel() (same thread) ends it without calling `done`.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/api/asio.hpp"

namespace edgegw::bridge {

struct tls_probe_settings {
  std::string host;
  uint16_t port = 0;
  std::string cacertfile, certfile, keyfile;
  bool verify = true;  // peer certificate and host name
  std::chrono::milliseconds timeout{5000};
};

class tls_probe {
 public:
  virtual ~tls_probe() = default;
  virtual void cancel() = 0;
};

// Calls `done` once on `io`'s thread: "" when the handshake succeeded, else the reason.
std::shared_ptr<tls_probe> start_tls_probe(boost::asio::io_context& io, tls_probe_settings s,
                                           std::function<void(std::string)> done);

// "mqtts://HOST:PORT" / "ssl://[v6]:PORT" -> host and port; false when it does not parse.
bool split_host_port(const std::string& uri, std::string& host, uint16_t& port);

}  // namespace edgegw::bridge
