// The incremental STOMP decoder of codec.hpp: scan for the end of the header block, then
// for the body (by content-length or up to the NUL), keeping the scan position between
// calls; parse and unescape the header block once the whole frame is there.
#include <algorithm>
#include <charconv>
#include <cstring>

#include "protocols/stomp/codec/codec.hpp"

namespace edgegw::stomp {

std::string_view to_string(version v) noexcept {
  switch (v) {
    case version::v10:
      return "1.0";
    case version::v11:
      return "1.1";
    case version::v12:
      return "1.2";
  }
  return "1.2";
}

const std::string* frame::find(std::string_view name) const noexcept {
  for (const auto& h : headers)
    if (h.name == name) return &h.value;
  return nullptr;
}

bool unescaped_command(std::string_view command) noexcept {
  return command == "CONNECT" || command == "STOMP" || command == "CONNECTED";
}

namespace {

decode_result fail(decode_status s, const char* why) {
  decode_result r;
  r.status = s;
  r.error = why;
  return r;
}

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_command(std::string_view c) {
  if (c.empty()) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

}  // namespace

bool unescape(std::string_view in, version v, std::string& out) {
  out.clear();
  if (v == version::v10) {
    out.assign(in);
    return true;
  }
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i == in.size()) return false;
    switch (in[i]) {
      case 'n':
        out.push_back('\n');
        break;
      case 'c':
        out.push_back(':');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'r':
        if (v != version::v12) return false;
        out.push_back('\r');
        break;
      default:
        return false;
    }
  }
  return true;
}

void decoder::reset() noexcept {
  scanned_ = 0;
  body_at_ = 0;
  content_length_.reset();
  lines_ = 0;
  line_start_ = 0;
}

decode_result decoder::parse_head(std::span<const uint8_t> in, frame& out) {
  const std::string_view head(reinterpret_cast<const char*>(in.data()), body_at_);
  out.command.clear();
  out.headers.clear();
  out.body.clear();
  content_length_.reset();
  std::size_t pos = 0;
  bool first = true;
  while (pos < head.size()) {
    const std::size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the blank line that ends the header block
    if (line.find('\0') != std::string_view::npos)
      return fail(decode_status::malformed, "NUL inside the header block");
    if (first) {
      first = false;
      if (!valid_command(line)) return fail(decode_status::malformed, "invalid command");
      out.command.assign(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return fail(decode_status::malformed, "header line without ':'");
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    header h;
    if (ver_ == version::v10) {
      name = trim_blanks(name);
      value = trim_blanks(value);
      h.name.assign(name);
      h.value.assign(value);
    } else if (unescaped_command(out.command)) {
      h.name.assign(name);
      h.value.assign(value);
    } else if (!unescape(name, ver_, h.name) || !unescape(value, ver_, h.value)) {
      return fail(decode_status::malformed, "undefined escape sequence in a header");
    }
    if (h.name.empty()) return fail(decode_status::malformed, "empty header name");
    if (h.name == "content-length" && !content_length_) {
      std::size_t n = 0;
      const std::string_view v = ver_ == version::v10 ? trim_blanks(h.value) : h.value;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (v.empty() || ec == std::errc::result_out_of_range)
        return v.empty() ? fail(decode_status::malformed, "invalid content-length")
                         : fail(decode_status::too_large, "content-length over max_body");
      if (ec != std::errc() || p != v.data() + v.size())
        return fail(decode_status::malformed, "invalid content-length");
      if (n > limits_.max_body)
        return fail(decode_status::too_large, "content-length over max_body");
      if (body_at_ + n + 1 > limits_.max_frame_size)
        return fail(decode_status::too_large, "frame over max_frame_size");
      content_length_ = n;
    }
    out.headers.push_back(std::move(h));
  }
  if (out.command.empty()) return fail(decode_status::malformed, "no command");
  return {};
}

decode_result decoder::decode(std::span<const uint8_t> in, frame& out) {
  const auto* p = in.data();
  if (body_at_ == 0) {
    if (scanned_ == 0) {  // at a frame boundary: EOLs here are heart-beats
      if (in.empty()) return {};
      if (p[0] == '\n') return {decode_status::heartbeat, 1, nullptr, 0};
      if (p[0] == '\r') {
        if (in.size() < 2) return {decode_status::need_more, 0, nullptr, 2};
        if (p[1] == '\n') return {decode_status::heartbeat, 2, nullptr, 0};
        reset();
        return fail(decode_status::malformed, "CR not followed by LF");
      }
    }
    // Find the blank line ending the header block, checking each line against the limits.
    const std::size_t max_line = limits_.max_header_length + 1;  // + an optional CR
    for (std::size_t i = scanned_; i < in.size(); ++i) {
      if (p[i] != '\n') continue;
      std::size_t len = i - line_start_;
      if (len > 0 && p[i - 1] == '\r') --len;
      if (len > max_line - 1) {
        reset();
        return fail(decode_status::too_large, "header line over max_header_length");
      }
      if (len == 0) {
        if (lines_ == 0) {  // a stray CR LF inside a heart-beat run was handled above
          reset();
          return fail(decode_status::malformed, "empty command line");
        }
        body_at_ = i + 1;
        scanned_ = body_at_;
        break;
      }
      if (++lines_ > limits_.max_headers + 1) {
        reset();
        return fail(decode_status::too_large, "more headers than max_headers");
      }
      line_start_ = i + 1;
    }
    if (body_at_ == 0) {
      scanned_ = in.size();
      if (in.size() - line_start_ > max_line) {
        reset();
        return fail(decode_status::too_large, "header line over max_header_length");
      }
      if (in.size() >= limits_.max_frame_size) {
        reset();
        return fail(decode_status::too_large, "frame over max_frame_size");
      }
      return {};
    }
    if (body_at_ >= limits_.max_frame_size) {
      reset();
      return fail(decode_status::too_large, "frame over max_frame_size");
    }
    // Validate the header block now (and learn content-length), so bad frames are
    // refused before their body is waited for.
    if (auto r = parse_head(in, out); r.error) {
      reset();
      return r;
    }
  }
  std::size_t end = 0;  // offset of the terminating NUL
  if (content_length_) {
    end = body_at_ + *content_length_;
    if (in.size() <= end) return {decode_status::need_more, 0, nullptr, end + 1};
    if (p[end] != 0) {
      reset();
      return fail(decode_status::malformed, "no NUL after content-length bytes of body");
    }
  } else {
    const auto* nul = static_cast<const uint8_t*>(
        in.size() > scanned_ ? std::memchr(p + scanned_, 0, in.size() - scanned_) : nullptr);
    if (!nul) {
      scanned_ = in.size();
      if (in.size() - body_at_ > limits_.max_body) {
        reset();
        return fail(decode_status::too_large, "body over max_body");
      }
      if (in.size() >= limits_.max_frame_size) {
        reset();
        return fail(decode_status::too_large, "frame over max_frame_size");
      }
      return {};
    }
    end = static_cast<std::size_t>(nul - p);
    if (end - body_at_ > limits_.max_body) {
      reset();
      return fail(decode_status::too_large, "body over max_body");
    }
    if (end + 1 > limits_.max_frame_size) {
      reset();
      return fail(decode_status::too_large, "frame over max_frame_size");
    }
  }
  // Complete: (re)parse the header block into `out` (it may be another object than the
  // one the header-complete call filled) and take the body.
  const std::size_t at = body_at_;
  if (auto r = parse_head(in, out); r.error) {
    reset();
    return r;
  }
  out.body.assign(reinterpret_cast<const char*>(p + at), end - at);
  reset();
  return {decode_status::frame, end + 1, nullptr, 0};
}

}  // namespace edgegw::stomp
