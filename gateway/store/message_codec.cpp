// Message <-> bytes for the store and the bridge spool; the layout is in message_codec.hpp.
// Decoding checks the version and the CRC first (a torn write is the common failure),
// then parses the body with every length checked against what is left.
#include "message_codec.hpp"

#include <array>
#include <limits>

namespace edgegw::store {

namespace {

// Presence bitmap: one bit per optional field, in the order the fields follow.
enum field : uint64_t {
  f_payload_format = 1u << 0,
  f_content_type = 1u << 1,
  f_response_topic = 1u << 2,
  f_correlation_data = 1u << 3,
  f_user_properties = 1u << 4,
  f_expire_at = 1u << 5,
  f_from_client = 1u << 6,
  f_from_protocol = 1u << 7,
};
constexpr uint64_t known_fields = 0xFF;
constexpr uint8_t flag_qos_mask = 0x03;
constexpr uint8_t flag_retain = 0x04;
constexpr std::size_t crc_size = 4;
// version, flags, presence, topic length, payload length: the smallest body.
constexpr std::size_t min_body = 5;

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto crc_table = make_crc_table();

class codec_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "edgegw.message_codec"; }
  std::string message(int v) const override {
    switch (static_cast<codec_errc>(v)) {
      case codec_errc::ok:
        return "ok";
      case codec_errc::truncated:
        return "stored message is truncated";
      case codec_errc::bad_version:
        return "stored message has an unknown format version";
      case codec_errc::bad_crc:
        return "stored message fails its CRC check";
      case codec_errc::bad_length:
        return "stored message has a length beyond its end";
      case codec_errc::bad_value:
        return "stored message has an invalid field value";
      case codec_errc::trailing_bytes:
        return "stored message has trailing bytes";
    }
    return "unknown message codec error";
  }
};

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t u) {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

// Bounds-checked reader over the CRC-covered body.
class reader {
 public:
  explicit reader(std::string_view in, std::size_t pos) : in_(in), pos_(pos) {}

  codec_errc u8(uint8_t& v) noexcept {
    if (pos_ >= in_.size()) return codec_errc::truncated;
    v = static_cast<uint8_t>(in_[pos_++]);
    return codec_errc::ok;
  }
  codec_errc varint(uint64_t& v) noexcept { return get_varint(in_, pos_, v); }
  codec_errc string(std::string& s) {
    uint64_t n = 0;
    if (auto e = varint(n); e != codec_errc::ok) return e;
    if (n > in_.size() - pos_) return codec_errc::bad_length;
    s.assign(in_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return codec_errc::ok;
  }
  codec_errc opt_string(std::optional<std::string>& s) {
    s.emplace();
    return string(*s);
  }
  std::size_t left() const noexcept { return in_.size() - pos_; }

 private:
  std::string_view in_;
  std::size_t pos_;
};

codec_errc parse_body(std::string_view body, message& m) {
  reader r(body, 1);  // past the version byte
  uint8_t flags = 0;
  if (auto e = r.u8(flags); e != codec_errc::ok) return e;
  if ((flags & ~(flag_qos_mask | flag_retain)) != 0) return codec_errc::bad_value;
  m.qos = flags & flag_qos_mask;
  if (m.qos > 2) return codec_errc::bad_value;
  m.retain = (flags & flag_retain) != 0;

  uint64_t present = 0;
  if (auto e = r.varint(present); e != codec_errc::ok) return e;
  if ((present & ~known_fields) != 0) return codec_errc::bad_value;

  codec_errc e = r.string(m.topic);
  if (e == codec_errc::ok) e = r.string(m.payload);
  if (e == codec_errc::ok && (present & f_payload_format)) {
    uint8_t pf = 0;
    e = r.u8(pf);
    m.payload_format = pf;
  }
  if (e == codec_errc::ok && (present & f_content_type)) e = r.opt_string(m.content_type);
  if (e == codec_errc::ok && (present & f_response_topic)) e = r.opt_string(m.response_topic);
  if (e == codec_errc::ok && (present & f_correlation_data)) {
    e = r.opt_string(m.correlation_data);
  }
  if (e == codec_errc::ok && (present & f_user_properties)) {
    uint64_t count = 0;
    e = r.varint(count);
    if (e != codec_errc::ok) return e;
    if (count == 0) return codec_errc::bad_value;             // the bit means "non-empty"
    if (count > r.left() / 2) return codec_errc::bad_length;  // two lengths at least each
    m.user_properties.resize(static_cast<std::size_t>(count));
    for (auto& p : m.user_properties) {
      if (e = r.string(p.key); e != codec_errc::ok) return e;
      if (e = r.string(p.value); e != codec_errc::ok) return e;
    }
  }
  if (e == codec_errc::ok && (present & f_expire_at)) {
    uint64_t z = 0;
    e = r.varint(z);
    m.expire_at_ms = unzigzag(z);
    if (e == codec_errc::ok && m.expire_at_ms == 0) return codec_errc::bad_value;
  }
  if (e == codec_errc::ok && (present & f_from_client)) {
    e = r.string(m.from_client);
    if (e == codec_errc::ok && m.from_client.empty()) return codec_errc::bad_value;
  }
  if (e == codec_errc::ok && (present & f_from_protocol)) {
    e = r.string(m.from_protocol);
    if (e == codec_errc::ok && m.from_protocol.empty()) return codec_errc::bad_value;
  }
  if (e != codec_errc::ok) return e;
  return r.left() == 0 ? codec_errc::ok : codec_errc::trailing_bytes;
}

}  // namespace

const std::error_category& codec_category() noexcept {
  static const codec_category_impl c;
  return c;
}

uint32_t crc32(std::string_view bytes, uint32_t crc) noexcept {
  crc = ~crc;
  for (unsigned char b : bytes) crc = crc_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

codec_errc get_varint(std::string_view in, std::size_t& pos, uint64_t& v) noexcept {
  uint64_t out = 0;
  std::size_t p = pos;
  for (unsigned shift = 0;; shift += 7) {
    if (p >= in.size()) return codec_errc::truncated;
    const auto b = static_cast<uint8_t>(in[p++]);
    const uint64_t bits = b & 0x7F;
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && bits > 1) return codec_errc::bad_value;
    out |= bits << shift;
    if ((b & 0x80) == 0) {
      if (b == 0 && shift != 0) return codec_errc::bad_value;  // not minimal
      break;
    }
    if (shift == 63) return codec_errc::bad_value;
  }
  v = out;
  pos = p;
  return codec_errc::ok;
}

std::string encode_message(const message& m) {
  uint64_t present = 0;
  if (m.payload_format) present |= f_payload_format;
  if (m.content_type) present |= f_content_type;
  if (m.response_topic) present |= f_response_topic;
  if (m.correlation_data) present |= f_correlation_data;
  if (!m.user_properties.empty()) present |= f_user_properties;
  if (m.expire_at_ms != 0) present |= f_expire_at;
  if (!m.from_client.empty()) present |= f_from_client;
  if (!m.from_protocol.empty()) present |= f_from_protocol;

  std::string out;
  out.reserve(m.topic.size() + m.payload.size() + 32);
  out.push_back(static_cast<char>(message_codec_version));
  out.push_back(static_cast<char>((m.qos & flag_qos_mask) | (m.retain ? flag_retain : 0)));
  put_varint(out, present);
  put_string(out, m.topic);
  put_string(out, m.payload);
  if (m.payload_format) out.push_back(static_cast<char>(*m.payload_format));
  if (m.content_type) put_string(out, *m.content_type);
  if (m.response_topic) put_string(out, *m.response_topic);
  if (m.correlation_data) put_string(out, *m.correlation_data);
  if (!m.user_properties.empty()) {
    put_varint(out, m.user_properties.size());
    for (const auto& p : m.user_properties) {
      put_string(out, p.key);
      put_string(out, p.value);
    }
  }
  if (m.expire_at_ms != 0) put_varint(out, zigzag(m.expire_at_ms));
  if (!m.from_client.empty()) put_string(out, m.from_client);
  if (!m.from_protocol.empty()) put_string(out, m.from_protocol);

  const uint32_t crc = crc32(out);
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return out;
}

result<message> decode_message(std::string_view bytes) {
  if (bytes.empty()) return codec_errc::truncated;
  if (static_cast<uint8_t>(bytes[0]) != message_codec_version) return codec_errc::bad_version;
  if (bytes.size() < min_body + crc_size) return codec_errc::truncated;

  const std::string_view body = bytes.substr(0, bytes.size() - crc_size);
  uint32_t stored = 0;
  for (std::size_t i = 0; i < crc_size; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[body.size() + i])) << (8 * i);
  }
  if (crc32(body) != stored) return codec_errc::bad_crc;

  message m;
  if (auto e = parse_body(body, m); e != codec_errc::ok) return e;
  return m;
}

}  // namespace edgegw::store
