// tls_stream: a server-side TLS stream over an accepted tcp::socket, with the surface
// Asio and Beast expect of a stream (get_executor, async_read_some, async_write_some,
// next_layer), so boost::asio::async_write, the MQTT adapter's connection<Stream> and
// Beast's websocket::stream<tls_stream> run over it unchanged.
//
// mbedTLS never touches the socket: its BIO callbacks work on an in-memory buffer pair
// (detail::engine), and the composed operations here move bytes between those buffers and
// the socket with the socket's own async operations, so no thread waits on a connection.
// - async_handshake(timeout): the handshake, bounded in time (the socket is closed when it
//   runs out: a client that never finishes costs nothing afterwards); a client certificate
//   that was sent and fails verification is refused with a bad_certificate alert.
// - async_read_some: decrypted bytes; the peer's close_notify or FIN is eof.
// - async_write_some: encrypts up to one record (16 KiB) of the buffers and completes when
//   its bytes are on the socket, so a slow reader slows the writer down (back-pressure).
// - async_shutdown: close_notify, then a TCP half-close; with `drain` it then reads until
//   the peer closes and closes the socket (Beast's teardown).
// One read and one write may be in flight at once, as on a socket; the handshake and a
// shutdown are not concurrent with writes.
//
// Owner: the socket's executor (a strand when threads may share the io_context). The
// state lives in a shared_ptr held by every pending operation, so a close_notify in
// flight outlives the connection object that started it.
#pragma once
#include "gateway/api/asio.hpp"

#include <boost/beast/core/role.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/net/tls/detail/tls_engine.hpp"
#include "gateway/net/tls/tls_context.hpp"
#include "gateway/net/tls/tls_error.hpp"

namespace edgegw::net::tls {

class tls_stream {
 public:
  using next_layer_type = boost::asio::ip::tcp::socket;
  using lowest_layer_type = next_layer_type;
  using executor_type = next_layer_type::executor_type;

  tls_stream(next_layer_type sock, std::shared_ptr<const server_context> ctx)
      : s_(std::make_shared<state>(std::move(sock), std::move(ctx))) {}

  executor_type get_executor() noexcept { return s_->sock.get_executor(); }
  next_layer_type& next_layer() noexcept { return s_->sock; }
  const next_layer_type& next_layer() const noexcept { return s_->sock; }

  // Completes with void(error_code). After success: peer_common_name(), peer_identity(),
  // psk_identity(), session_info().
  template <class Token>
  auto async_handshake(std::chrono::steady_clock::duration timeout, Token&& token) {
    auto s = s_;
    s->timer.emplace(s->sock.get_executor());
    s->timer->expires_after(timeout);
    s->timer->async_wait([w = std::weak_ptr<state>(s)](boost::system::error_code ec) {
      auto st = w.lock();
      if (ec || !st || !st->timer) return;
      st->timed_out = true;
      st->sock.close(ec);  // fails the pending socket operation, and any later one
    });
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        handshake_op(std::move(s)), token, s_->sock);
  }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        read_op<MutableBufferSequence>(s_, buffers), token, s_->sock);
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code, std::size_t)>(
        write_op<ConstBufferSequence>(s_, buffers), token, s_->sock);
  }

  // close_notify and FIN (once; a second call completes at once). See the file comment.
  template <class Token>
  auto async_shutdown(bool drain, Token&& token) {
    return boost::asio::async_compose<Token, void(boost::system::error_code)>(
        shutdown_op(s_, drain), token, s_->sock);
  }

  // For the MQTT glue's lingering close: async_shutdown without waiting for it.
  void start_close() {
    async_shutdown(false, [keep = s_](boost::system::error_code) {});
  }
  // Drop the TCP connection now.
  void close() noexcept {
    boost::system::error_code ec;
    s_->sock.shutdown(next_layer_type::shutdown_both, ec);
    s_->sock.close(ec);
  }

  std::string peer_common_name() const { return s_->eng.peer_common_name(); }
  // The identity the listener gives the client (see detail::engine::peer_identity).
  std::string peer_identity() const { return s_->eng.peer_identity(); }
  const std::string& psk_identity() const noexcept { return s_->eng.psk_identity(); }
  std::string session_info() const { return s_->eng.version_and_cipher(); }
  // Why the handshake failed beyond the error (certificate, PSK identity or key), in words.
  const std::string& rejection_detail() const noexcept { return s_->why; }

 private:
  struct state {
    state(next_layer_type s, std::shared_ptr<const server_context> ctx)
        : sock(std::move(s)), eng(std::move(ctx)) {}
    next_layer_type sock;
    detail::engine eng;
    std::string wbuf;                                // the bytes of the socket write in flight
    std::vector<unsigned char> plain;                // a write's buffers gathered into one record
    std::optional<boost::asio::steady_timer> timer;  // during the handshake only
    std::array<char, 256> drain{};
    std::string why;
    bool timed_out = false;
    bool closing = false;
  };

  // A completion from the initiating call itself must not run the handler inline: it
  // is posted (to the handler's executor) and delivered from `phase::posted`.
  enum class phase { start, socket, posted };

  struct handshake_op {
    explicit handshake_op(std::shared_ptr<state> st) : s(std::move(st)) {}
    std::shared_ptr<state> s;
    phase ph = phase::start;
    bool done = false;
    boost::system::error_code result;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      if (ph == phase::posted) return finish(self);
      const bool was_read = ph == phase::socket && s->wbuf.empty();
      if (ph == phase::socket) {
        s->wbuf.clear();
        if (s->timed_out) ec = make_error_code(errc::handshake_timeout);
        if (ec) {
          result = ec;
          return finish(self);
        }
        if (was_read) s->eng.commit_input(n);
      }
      if (!done) {
        const int r = s->eng.handshake();
        if (r == 0) {
          result = s->eng.check_peer(s->why);
          done = true;
          if (result) s->eng.alert_bad_certificate();
        } else if (r != detail::engine::want_read) {
          result = from_mbedtls(r);
          s->why = s->eng.failure_detail(r);
          done = true;
        }
      }
      const bool first = ph == phase::start;
      if (!s->eng.output().empty()) {  // our flight, or the alert of a failure
        s->wbuf.swap(s->eng.output());
        ph = phase::socket;
        boost::asio::async_write(s->sock, boost::asio::buffer(s->wbuf), std::move(self));
        return;
      }
      if (done) {
        if (first) {
          ph = phase::posted;
          boost::asio::post(std::move(self));
          return;
        }
        return finish(self);
      }
      ph = phase::socket;
      s->sock.async_read_some(s->eng.input_space(), std::move(self));
    }

    template <class Self>
    void finish(Self& self) {
      if (s->timer) {
        s->timer->cancel();
        s->timer.reset();
      }
      if (s->timed_out) result = make_error_code(errc::handshake_timeout);
      self.complete(result);
    }
  };

  template <class MutableBufferSequence>
  struct read_op {
    read_op(std::shared_ptr<state> st, const MutableBufferSequence& b)
        : s(std::move(st)), buffers(b) {}
    std::shared_ptr<state> s;
    MutableBufferSequence buffers;
    phase ph = phase::start;
    boost::system::error_code result;
    std::size_t bytes = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
      if (ph == phase::posted) return self.complete(result, bytes);
      if (ph == phase::socket) {
        if (ec) return self.complete(ec, 0);
        s->eng.commit_input(n);
      }
      boost::asio::mutable_buffer b;
      for (auto it = boost::asio::buffer_sequence_begin(buffers);
           it != boost::asio::buffer_sequence_end(buffers); ++it) {
        if (boost::asio::mutable_buffer(*it).size() > 0) {
          b = *it;
          break;
        }
      }
      int r = 0;
      if (b.size() > 0) {
        // A record that was not application data (an alert, a refused renegotiation)
        // can leave buffered input behind a WANT_READ: go on while there is some.
        for (int tries = 0; tries < 16; ++tries) {
          r = s->eng.read(static_cast<unsigned char*>(b.data()), b.size());
          if (r != detail::engine::want_read || !s->eng.has_input()) break;
        }
      }
      if (r == detail::engine::want_read) {
        ph = phase::socket;
        s->sock.async_read_some(s->eng.input_space(), std::move(self));
        return;
      }
      s->eng.release_input();
      if (r > 0) {
        bytes = static_cast<std::size_t>(r);
      } else if (r == 0 && b.size() > 0) {
        result = boost::asio::error::eof;  // close_notify
      } else if (r < 0) {
        result = from_mbedtls(r);
      }
      if (ph == phase::start) {
        ph = phase::posted;
        boost::asio::post(std::move(self));
        return;
      }
      self.complete(result, bytes);
    }
  };

  template <class ConstBufferSequence>
  struct write_op {
    write_op(std::shared_ptr<state> st, const ConstBufferSequence& b)
        : s(std::move(st)), buffers(b) {}
    std::shared_ptr<state> s;
    ConstBufferSequence buffers;
    phase ph = phase::start;
    boost::system::error_code result;
    std::size_t bytes = 0;

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t = 0) {
      if (ph == phase::posted) return self.complete(result, bytes);
      if (ph == phase::socket) {
        s->wbuf.clear();
        return self.complete(ec, ec ? 0 : bytes);
      }
      const std::size_t want =
          std::min(boost::asio::buffer_size(buffers), detail::engine::max_record);
      if (want > 0) {
        const unsigned char* p = nullptr;
        boost::asio::const_buffer first = *boost::asio::buffer_sequence_begin(buffers);
        if (first.size() >= want) {
          p = static_cast<const unsigned char*>(first.data());
        } else {  // gather (e.g. a WebSocket frame header and its payload) into one record
          s->plain.resize(want);
          boost::asio::buffer_copy(boost::asio::buffer(s->plain), buffers);
          p = s->plain.data();
        }
        const int r = s->eng.write(p, want);
        if (r < 0) {
          result = from_mbedtls(r);
        } else {
          bytes = static_cast<std::size_t>(r);
          s->wbuf.swap(s->eng.output());
          ph = phase::socket;
          boost::asio::async_write(s->sock, boost::asio::buffer(s->wbuf), std::move(self));
          return;
        }
      }
      ph = phase::posted;
      boost::asio::post(std::move(self));
    }
  };

  struct shutdown_op {
    shutdown_op(std::shared_ptr<state> st, bool d) : s(std::move(st)), drain(d) {}
    std::shared_ptr<state> s;
    bool drain = false;
    int step = 0;  // 0 start, 1 close_notify written, 2 draining, 3 posted

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec = {}, std::size_t = 0) {
      switch (step) {
        case 0:
          if (s->closing || !s->sock.is_open()) {
            step = 3;
            boost::asio::post(std::move(self));
            return;
          }
          s->closing = true;
          s->eng.close_notify();
          s->wbuf.swap(s->eng.output());
          step = 1;
          boost::asio::async_write(s->sock, boost::asio::buffer(s->wbuf), std::move(self));
          return;
        case 1: {
          s->wbuf.clear();
          boost::system::error_code ignored;
          if (!ec) s->sock.shutdown(next_layer_type::shutdown_send, ignored);
          if (ec || !drain) return self.complete(ec);
          step = 2;
          break;
        }
        case 2:
          if (ec) {  // the peer's FIN (or an error): done
            boost::system::error_code ignored;
            s->sock.close(ignored);
            return self.complete({});
          }
          break;
        default:
          return self.complete({});
      }
      s->sock.async_read_some(boost::asio::buffer(s->drain), std::move(self));
    }
  };

  std::shared_ptr<state> s_;
};

// Beast's WebSocket close: close_notify, then wait for the peer to close TCP.
inline void teardown(boost::beast::role_type, tls_stream& s, boost::system::error_code& ec) {
  ec = {};
  s.close();
}
template <class TeardownHandler>
void async_teardown(boost::beast::role_type, tls_stream& s, TeardownHandler&& handler) {
  s.async_shutdown(true, std::forward<TeardownHandler>(handler));
}

}  // namespace edgegw::net::tls
