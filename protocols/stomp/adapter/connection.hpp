// The Asio glue between one byte stream (TCP or WebSocket, transport.hpp) and one
// stomp::channel: a read loop over a buffer
// grown only for a frame that needs it (bounded by max_frame_size through the codec), one
// write in flight gathering the channel's output (the two buffers are swapped), reading
// paused while a SEND is throttled, CONNECT awaits authentication or the client does not
// read its MESSAGE frames, a
// deadline at the channel's next_deadline() (shared per io_context, net::deadline_service),
// and a lingering close (our FIN, then wait for the peer's) so an ERROR frame is not lost
// to a TCP reset.
//
// Owner: a plain TCP socket's io_context is run by one thread (net::io_pool), so its
// executor serialises every handler. The broker's calls into delivery_sink and
// on_unthrottle come from any thread and only post here.
#pragma once
#include "gateway/api/asio.hpp"

#include <memory>
#include <string>
#include <vector>

#include "gateway/api/broker.hpp"
#include "gateway/net/deadlines.hpp"
#include "protocols/stomp/adapter/channel.hpp"
#include "protocols/stomp/adapter/settings.hpp"
#include "protocols/stomp/adapter/transport.hpp"

namespace edgegw::stomp {

class connection final : public std::enable_shared_from_this<connection>,
                         private net::deadline_entry {
 public:
  using socket = boost::asio::ip::tcp::socket;
  using clock = channel::clock;

  // `token` is held until the transport closes (the listener's connection slot).
  connection(std::unique_ptr<transport> t, std::string peer, std::shared_ptr<const settings> cfg,
             broker& b, std::shared_ptr<void> token);
  ~connection() override;
  void start();

 private:
  class sink;

  template <class F>
  void guarded(F&& f) noexcept;
  void after_event();
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t n);
  void feed();
  void flush();
  void on_write(boost::system::error_code ec);
  void arm_timer();
  void on_deadline() override;
  void begin_linger();
  void close_now();
  void handle_ready();
  void handle_session_closed(close_reason r);
  void handle_unthrottled();
  void handle_authenticated(result<client_info> r);

  std::unique_ptr<transport> io_;
  std::shared_ptr<const settings> cfg_;
  std::shared_ptr<sink> sink_;
  channel channel_;
  std::vector<uint8_t> rbuf_;
  std::size_t rbegin_ = 0;  // unconsumed input is rbuf_[rbegin_, rend_)
  std::size_t rend_ = 0;
  std::string wbuf_;
  std::shared_ptr<void> token_;
  // Keeps the connection alive while nothing else does: reading paused for a throttled
  // SEND, no write or deadline pending; released by the unthrottle or the close.
  std::shared_ptr<connection> hold_;
  bool reading_ = false;
  bool writing_ = false;
  bool lingering_ = false;
  bool closed_ = false;
};

// The TCP listener's entry point: an accepted socket on one of the pool's io_contexts.
void start_connection(boost::asio::ip::tcp::socket s, std::shared_ptr<const settings> cfg,
                      broker& b, std::shared_ptr<void> token);
// STOMP over WebSocket: reads the HTTP upgrade request (bounded by connect_timeout),
// answers 404 for another path, 426 for plain HTTP, 400 when the client offers only
// subprotocols other than v10.stomp, v11.stomp and v12.stomp; accepts with the first of the
// client's that we support echoed, then runs the connection over the WebSocket.
void start_ws_connection(boost::asio::ip::tcp::socket s, std::shared_ptr<const settings> cfg,
                         broker& b, std::string path, std::shared_ptr<void> token);

}  // namespace edgegw::stomp
