// How the MQTT adapter's connection glue ends a TLS stream (adapter/connection.hpp's
// stream_ops customisation point): a lingering close starts with close_notify and our FIN,
// a hard close drops TCP.
#pragma once
#include "gateway/net/tls/tls_stream.hpp"
#include "protocols/mqtt/adapter/connection.hpp"

namespace edgegw::mqtt {

template <>
struct stream_ops<net::tls::tls_stream> {
  static void shutdown_send(net::tls::tls_stream& s) { s.start_close(); }
  static void close(net::tls::tls_stream& s) { s.close(); }
};

extern template class connection<net::tls::tls_stream>;

}  // namespace edgegw::mqtt
