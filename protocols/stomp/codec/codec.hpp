// STOMP 1.0 / 1.1 / 1.2 frames and their wire form, pure (no I/O, no broker API).
//
// Decoding is incremental: a `decoder` is fed the unconsumed bytes of the stream (the same
// bytes again plus whatever arrived since, split anywhere) and remembers how far it has
// scanned, so a large frame arriving in small reads is scanned once. It enforces the
// limits before the owner commits memory: a header block or body that can only grow past
// a limit is refused as soon as that is certain.
//
// Versions differ in header escaping (1.0: none; 1.1: \n \c \\; 1.2: also \r) and line
// ends (1.2: LF or CRLF; 1.0 and 1.1 are read leniently with CRLF too). CONNECT, STOMP and
// CONNECTED frames are never escaped, whatever the version. In 1.0, header names and
// values are trimmed of surrounding blanks (what 1.0 clients and servers tolerated).
// Repeated headers are kept in order; find() returns the first, as 1.2 requires.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgegw::stomp {

enum class version : uint8_t { v10, v11, v12 };

std::string_view to_string(version v) noexcept;  // "1.0", "1.1", "1.2"

struct header {
  std::string name;
  std::string value;
  bool operator==(const header&) const = default;
};

struct frame {
  std::string command;
  std::vector<header> headers;
  std::string body;

  // The first header called `name`, or nullptr.
  const std::string* find(std::string_view name) const noexcept;
  void add(std::string name, std::string value) {
    headers.push_back({std::move(name), std::move(value)});
  }
  bool operator==(const frame&) const = default;
};

struct limits {
  std::size_t max_frame_size = 1024 * 1024;  // command + headers + body + NUL
  std::size_t max_headers = 64;
  std::size_t max_header_length = 8192;  // one header line, name:value
  std::size_t max_body = 1024 * 1024;
};

enum class decode_status : uint8_t {
  frame,      // `out` holds a frame
  heartbeat,  // an EOL between frames (a heart-beat), consumed
  need_more,  // incomplete: feed again with more bytes appended
  malformed,  // not a STOMP frame; `error` says why
  too_large,  // over a limit; `error` says which
};

struct decode_result {
  decode_status status = decode_status::need_more;
  std::size_t consumed = 0;     // bytes of the input used (frame or heart-beat)
  const char* error = nullptr;  // for malformed / too_large
  std::size_t needed = 0;       // need_more: total bytes the frame needs, when known
};

// Frame-by-frame decoder of one byte stream. After `frame`, `heartbeat` or an error, the
// next call starts at the next frame (the owner drops `consumed` bytes first). An error is
// final for the stream (STOMP has no way to resynchronise).
class decoder {
 public:
  explicit decoder(limits l = {}) : limits_(l) {}

  // The version that decides header escaping from the next frame on.
  void set_version(version v) noexcept { ver_ = v; }
  version get_version() const noexcept { return ver_; }
  const limits& get_limits() const noexcept { return limits_; }

  // `in` starts at the first unconsumed byte and holds everything seen since (at least
  // what the previous call saw).
  decode_result decode(std::span<const uint8_t> in, frame& out);

 private:
  void reset() noexcept;
  decode_result parse_head(std::span<const uint8_t> in, frame& out);

  limits limits_;
  version ver_ = version::v12;
  // Progress on the frame at the front of the input.
  std::size_t scanned_ = 0;  // bytes searched for the end of the header block / body
  std::size_t body_at_ = 0;  // offset of the body (0: header block not complete)
  std::optional<std::size_t> content_length_;
  std::size_t lines_ = 0;  // header lines seen while scanning (limit check)
  std::size_t line_start_ = 0;
};

// Escape / unescape a header name or value for `v` (1.0: as is). unescape returns false
// on an undefined escape sequence (a fatal error in 1.1 and 1.2).
void escape_into(std::string_view in, version v, std::string& out);
bool unescape(std::string_view in, version v, std::string& out);

// True for the commands whose headers are never escaped.
bool unescaped_command(std::string_view command) noexcept;

// Append the wire form of `f` (LF line ends, escaping per `v`, a content-length header
// added when `add_content_length` and the frame has none, the NUL terminator).
void encode(const frame& f, version v, std::string& out, bool add_content_length = true);

}  // namespace edgegw::stomp
