// Spool record <-> bytes; the layout is in record_codec.hpp. Decoding checks the frame's
// length and checksum before it looks at the body, so a torn or flipped record is
// rejected as a whole; the body parser then checks every length against what is left.
#include "bridge/spool/detail/record_codec.hpp"

#include <array>

namespace edgegw::bridge {

namespace {

constexpr uint8_t kind_data = 1;
constexpr uint8_t kind_ack = 2;
constexpr uint8_t flag_qos_mask = 0x03;
constexpr uint8_t flag_retain = 0x04;
constexpr uint8_t flag_extras = 0x08;
constexpr std::size_t crc_size = 4;

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

constexpr std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr auto crc_table = make_crc_table();

class record_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "edgegw.spool_record"; }
  std::string message(int v) const override {
    switch (static_cast<record_errc>(v)) {
      case record_errc::ok:
        return "ok";
      case record_errc::truncated:
        return "spool record is truncated";
      case record_errc::bad_length:
        return "spool record has an impossible length";
      case record_errc::bad_crc:
        return "spool record fails its checksum";
      case record_errc::bad_kind:
        return "spool record has an unknown kind";
      case record_errc::bad_value:
        return "spool record has an invalid field value";
      case record_errc::trailing_bytes:
        return "spool record has trailing bytes";
    }
    return "unknown spool record error";
  }
};

std::size_t varint_size(uint64_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void put_string(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

uint64_t zigzag(int64_t v) noexcept {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t unzigzag(uint64_t u) noexcept {
  return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
}

// Minimal unsigned LEB128 at `pos`, advancing it on success.
record_errc get_varint(std::string_view in, std::size_t& pos, uint64_t& v) noexcept {
  uint64_t out = 0;
  std::size_t p = pos;
  for (unsigned shift = 0;; shift += 7) {
    if (p >= in.size()) return record_errc::truncated;
    const auto b = static_cast<uint8_t>(in[p++]);
    const uint64_t bits = b & 0x7F;
    if (shift == 63 && bits > 1) return record_errc::bad_value;  // beyond 64 bits
    out |= bits << shift;
    if ((b & 0x80) == 0) {
      if (b == 0 && shift != 0) return record_errc::bad_value;  // not minimal
      break;
    }
    if (shift == 63) return record_errc::bad_value;
  }
  v = out;
  pos = p;
  return record_errc::ok;
}

uint64_t presence(const message& m) noexcept {
  uint64_t p = 0;
  if (m.payload_format) p |= f_payload_format;
  if (m.content_type) p |= f_content_type;
  if (m.response_topic) p |= f_response_topic;
  if (m.correlation_data) p |= f_correlation_data;
  if (!m.user_properties.empty()) p |= f_user_properties;
  if (m.expire_at_ms != 0) p |= f_expire_at;
  if (!m.from_client.empty()) p |= f_from_client;
  if (!m.from_protocol.empty()) p |= f_from_protocol;
  return p;
}

std::size_t str_size(std::string_view s) noexcept {
  return varint_size(s.size()) + s.size();
}

std::size_t extras_size(const message& m, uint64_t p) noexcept {
  std::size_t n = varint_size(p);
  if (p & f_payload_format) n += 1;
  if (p & f_content_type) n += str_size(*m.content_type);
  if (p & f_response_topic) n += str_size(*m.response_topic);
  if (p & f_correlation_data) n += str_size(*m.correlation_data);
  if (p & f_user_properties) {
    n += varint_size(m.user_properties.size());
    for (const auto& up : m.user_properties) n += str_size(up.key) + str_size(up.value);
  }
  if (p & f_expire_at) n += varint_size(zigzag(m.expire_at_ms));
  if (p & f_from_client) n += str_size(m.from_client);
  if (p & f_from_protocol) n += str_size(m.from_protocol);
  return n;
}

std::size_t data_body_size(uint64_t seq, int64_t ms, const message& m, uint64_t p) noexcept {
  std::size_t n =
      1 + varint_size(seq) + varint_size(static_cast<uint64_t>(ms)) + 1 + str_size(m.topic);
  if (p == 0) return n + m.payload.size();
  return n + str_size(m.payload) + extras_size(m, p);
}

// Writes crc placeholder and length, returns the frame start; seal() fills the crc.
std::size_t begin_frame(std::string& out, std::size_t body_len) {
  const std::size_t start = out.size();
  out.append(crc_size, '\0');
  put_varint(out, body_len);
  return start;
}
std::size_t seal(std::string& out, std::size_t start) {
  const std::string_view covered(out.data() + start + crc_size, out.size() - start - crc_size);
  const uint32_t c = crc32c(covered);
  for (std::size_t i = 0; i < crc_size; ++i) {
    out[start + i] = static_cast<char>((c >> (8 * i)) & 0xFF);
  }
  return out.size() - start;
}

// Bounds-checked reader over a body.
class reader {
 public:
  explicit reader(std::string_view in) : in_(in) {}
  record_errc u8(uint8_t& v) noexcept {
    if (pos_ >= in_.size()) return record_errc::bad_length;
    v = static_cast<uint8_t>(in_[pos_++]);
    return record_errc::ok;
  }
  record_errc varint(uint64_t& v) noexcept {
    const auto e = get_varint(in_, pos_, v);
    return e == record_errc::truncated ? record_errc::bad_length : e;
  }
  record_errc string(std::string& s) {
    uint64_t n = 0;
    if (auto e = varint(n); e != record_errc::ok) return e;
    if (n > left()) return record_errc::bad_length;
    s.assign(in_.substr(pos_, static_cast<std::size_t>(n)));
    pos_ += static_cast<std::size_t>(n);
    return record_errc::ok;
  }
  record_errc nonempty(std::string& s) {
    const auto e = string(s);
    return e == record_errc::ok && s.empty() ? record_errc::bad_value : e;
  }
  record_errc opt_string(std::optional<std::string>& s) {
    s.emplace();
    return string(*s);
  }
  void rest(std::string& s) {
    s.assign(in_.substr(pos_));
    pos_ = in_.size();
  }
  std::size_t left() const noexcept { return in_.size() - pos_; }

 private:
  std::string_view in_;
  std::size_t pos_ = 1;  // past the kind byte
};

record_errc parse_extras(reader& r, message& m) {
  uint64_t p = 0;
  if (auto e = r.varint(p); e != record_errc::ok) return e;
  if (p == 0 || (p & ~known_fields) != 0) return record_errc::bad_value;
  record_errc e = record_errc::ok;
  if (p & f_payload_format) {
    uint8_t pf = 0;
    e = r.u8(pf);
    m.payload_format = pf;
  }
  if (e == record_errc::ok && (p & f_content_type)) e = r.opt_string(m.content_type);
  if (e == record_errc::ok && (p & f_response_topic)) e = r.opt_string(m.response_topic);
  if (e == record_errc::ok && (p & f_correlation_data)) e = r.opt_string(m.correlation_data);
  if (e == record_errc::ok && (p & f_user_properties)) {
    uint64_t count = 0;
    if (e = r.varint(count); e != record_errc::ok) return e;
    if (count == 0) return record_errc::bad_value;
    if (count > r.left() / 2) return record_errc::bad_length;
    m.user_properties.resize(static_cast<std::size_t>(count));
    for (auto& up : m.user_properties) {
      if (e = r.string(up.key); e != record_errc::ok) return e;
      if (e = r.string(up.value); e != record_errc::ok) return e;
    }
  }
  if (e == record_errc::ok && (p & f_expire_at)) {
    uint64_t z = 0;
    e = r.varint(z);
    m.expire_at_ms = unzigzag(z);
    if (e == record_errc::ok && m.expire_at_ms == 0) return record_errc::bad_value;
  }
  if (e == record_errc::ok && (p & f_from_client)) e = r.nonempty(m.from_client);
  if (e == record_errc::ok && (p & f_from_protocol)) e = r.nonempty(m.from_protocol);
  return e;
}

record_errc parse_data(std::string_view body, data_record& d) {
  reader r(body);
  uint64_t ms = 0;
  uint8_t flags = 0;
  record_errc e = r.varint(d.seq);
  if (e == record_errc::ok) e = r.varint(ms);
  if (e == record_errc::ok) e = r.u8(flags);
  if (e != record_errc::ok) return e;
  if (d.seq == 0) return record_errc::bad_value;
  d.append_ms = static_cast<int64_t>(ms);
  if ((flags & ~(flag_qos_mask | flag_retain | flag_extras)) != 0) return record_errc::bad_value;
  d.msg.qos = flags & flag_qos_mask;
  if (d.msg.qos > 2) return record_errc::bad_value;
  d.msg.retain = (flags & flag_retain) != 0;
  if (e = r.string(d.msg.topic); e != record_errc::ok) return e;
  if ((flags & flag_extras) == 0) {
    r.rest(d.msg.payload);
    return record_errc::ok;
  }
  if (e = r.string(d.msg.payload); e != record_errc::ok) return e;
  if (e = parse_extras(r, d.msg); e != record_errc::ok) return e;
  return r.left() == 0 ? record_errc::ok : record_errc::trailing_bytes;
}

record_errc parse_ack(std::string_view body, ack_record& a) {
  reader r(body);
  uint64_t n = 0;
  record_errc e = r.varint(a.next_seq);
  if (e == record_errc::ok) e = r.varint(a.cursor);
  if (e == record_errc::ok) e = r.varint(n);
  if (e != record_errc::ok) return e;
  if (a.cursor == 0 || a.cursor > a.next_seq) return record_errc::bad_value;
  if (n > r.left() / 2) return record_errc::bad_length;
  uint64_t end = a.cursor;  // last seq known acked-or-cursor
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t gap = 0, len1 = 0;
    if (e = r.varint(gap); e != record_errc::ok) return e;
    if (e = r.varint(len1); e != record_errc::ok) return e;
    // Ranges are separated by at least one unacknowledged seq and end below next_seq.
    if (gap == 0 || gap >= a.next_seq - end) return record_errc::bad_value;
    const uint64_t first = end + gap;
    if (len1 >= a.next_seq - first) return record_errc::bad_value;
    const uint64_t last = first + len1;
    if (i > 0 && gap < 2) return record_errc::bad_value;  // adjacent ranges must merge
    a.acked.emplace_back(first, last);
    end = last;
  }
  return r.left() == 0 ? record_errc::ok : record_errc::trailing_bytes;
}

}  // namespace

const std::error_category& record_category() noexcept {
  static const record_category_impl c;
  return c;
}

uint32_t crc32c(std::string_view bytes, uint32_t crc) noexcept {
  crc = ~crc;
  for (unsigned char b : bytes) crc = crc_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::size_t data_record_size(uint64_t seq, int64_t append_ms, const message& m) noexcept {
  const std::size_t body = data_body_size(seq, append_ms, m, presence(m));
  return crc_size + varint_size(body) + body;
}

std::size_t encode_data(std::string& out, uint64_t seq, int64_t append_ms, const message& m) {
  const uint64_t p = presence(m);
  const std::size_t start = begin_frame(out, data_body_size(seq, append_ms, m, p));
  out.push_back(static_cast<char>(kind_data));
  put_varint(out, seq);
  put_varint(out, static_cast<uint64_t>(append_ms));
  out.push_back(static_cast<char>((m.qos & flag_qos_mask) | (m.retain ? flag_retain : 0) |
                                  (p != 0 ? flag_extras : 0)));
  put_string(out, m.topic);
  if (p == 0) {
    out.append(m.payload);
    return seal(out, start);
  }
  put_string(out, m.payload);
  put_varint(out, p);
  if (p & f_payload_format) out.push_back(static_cast<char>(*m.payload_format));
  if (p & f_content_type) put_string(out, *m.content_type);
  if (p & f_response_topic) put_string(out, *m.response_topic);
  if (p & f_correlation_data) put_string(out, *m.correlation_data);
  if (p & f_user_properties) {
    put_varint(out, m.user_properties.size());
    for (const auto& up : m.user_properties) {
      put_string(out, up.key);
      put_string(out, up.value);
    }
  }
  if (p & f_expire_at) put_varint(out, zigzag(m.expire_at_ms));
  if (p & f_from_client) put_string(out, m.from_client);
  if (p & f_from_protocol) put_string(out, m.from_protocol);
  return seal(out, start);
}

std::size_t encode_ack(std::string& out, const ack_record& a) {
  std::string body;
  body.push_back(static_cast<char>(kind_ack));
  put_varint(body, a.next_seq);
  put_varint(body, a.cursor);
  put_varint(body, a.acked.size());
  uint64_t end = a.cursor;
  for (const auto& [first, last] : a.acked) {
    put_varint(body, first - end);
    put_varint(body, last - first);
    end = last;
  }
  const std::size_t start = begin_frame(out, body.size());
  out.append(body);
  return seal(out, start);
}

result<decoded_record> decode_record(std::string_view bytes) {
  if (bytes.size() < crc_size) return record_errc::truncated;
  std::size_t pos = crc_size;
  uint64_t len = 0;
  if (auto e = get_varint(bytes, pos, len); e != record_errc::ok) return e;
  if (len == 0 || len > max_record_body) return record_errc::bad_length;
  if (len > bytes.size() - pos) return record_errc::truncated;
  const std::size_t size = pos + static_cast<std::size_t>(len);
  uint32_t stored = 0;
  for (std::size_t i = 0; i < crc_size; ++i) {
    stored |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  }
  if (crc32c(bytes.substr(crc_size, size - crc_size)) != stored) return record_errc::bad_crc;
  const std::string_view body = bytes.substr(pos, static_cast<std::size_t>(len));
  decoded_record out;
  out.size = size;
  record_errc e = record_errc::bad_kind;
  if (body[0] == static_cast<char>(kind_data)) {
    e = parse_data(body, out.rec.emplace<data_record>());
  } else if (body[0] == static_cast<char>(kind_ack)) {
    e = parse_ack(body, out.rec.emplace<ack_record>());
  }
  if (e != record_errc::ok) return e;
  return out;
}

}  // namespace edgegw::bridge
