// The few MQTT 3.1.1 packets edgegw_bench needs, written by hand: the load generator shares no
// code with the broker under test, so a codec bug cannot cancel itself out. CONNECT/CONNACK,
// SUBSCRIBE/SUBACK, PUBLISH QoS 0/1, PUBACK, PINGREQ/PINGRESP and DISCONNECT only.
// Every benchmark payload starts with a stamp (publisher, sequence number, send time) so the
// receiving side can count losses, duplicates and latency without any shared state.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace edgegw::bench::wire {

using buffer = std::vector<std::uint8_t>;

enum packet_type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  subscribe = 8,
  suback = 9,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
};

inline void put_u16(buffer& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

inline void put_varint(buffer& out, std::size_t v) {
  do {
    auto byte = static_cast<std::uint8_t>(v % 128);
    v /= 128;
    if (v > 0) byte |= 0x80;
    out.push_back(byte);
  } while (v > 0);
}

inline void put_string(buffer& out, std::string_view s) {
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out.insert(out.end(), s.begin(), s.end());
}

// CONNECT, protocol level 4, clean session, no will, no credentials.
inline void append_connect(buffer& out, std::string_view client_id, std::uint16_t keepalive) {
  out.push_back(connect << 4);
  put_varint(out, 10 + 2 + client_id.size());
  put_string(out, "MQTT");
  out.push_back(4);     // protocol level 3.1.1
  out.push_back(0x02);  // clean session
  put_u16(out, keepalive);
  put_string(out, client_id);
}

inline void append_subscribe(buffer& out, std::uint16_t packet_id, std::string_view filter,
                             int qos) {
  out.push_back(subscribe << 4 | 0x02);  // [MQTT-3.8.1-1] reserved flags 0010
  put_varint(out, 2 + 2 + filter.size() + 1);
  put_u16(out, packet_id);
  put_string(out, filter);
  out.push_back(static_cast<std::uint8_t>(qos));
}

inline void append_puback(buffer& out, std::uint16_t packet_id) {
  out.push_back(puback << 4);
  out.push_back(2);
  put_u16(out, packet_id);
}

inline void append_pingreq(buffer& out) {
  out.push_back(pingreq << 4);
  out.push_back(0);
}

inline void append_disconnect(buffer& out) {
  out.push_back(disconnect << 4);
  out.push_back(0);
}

// What every benchmark payload starts with. Same process, same host: native byte order.
struct stamp {
  std::uint32_t publisher = 0;
  std::uint64_t seq = 0;
  std::uint64_t sent_ns = 0;  // steady_clock, nanoseconds since its epoch
};
inline constexpr std::size_t stamp_size = 20;

// A PUBLISH with a fixed topic, QoS and payload size, encoded once; each message copies the
// template and patches the packet id and the stamp, so producing one costs one memcpy.
class publish_template {
 public:
  publish_template(std::string_view topic, int qos, std::size_t payload_size) {
    const std::size_t payload = payload_size < stamp_size ? stamp_size : payload_size;
    bytes_.push_back(static_cast<std::uint8_t>(publish << 4 | (qos & 3) << 1));
    put_varint(bytes_, 2 + topic.size() + (qos > 0 ? 2 : 0) + payload);
    put_string(bytes_, topic);
    if (qos > 0) {
      id_offset_ = bytes_.size();
      put_u16(bytes_, 0);
    }
    payload_offset_ = bytes_.size();
    for (std::size_t i = 0; i < payload; ++i)
      bytes_.push_back(static_cast<std::uint8_t>('a' + i % 26));
  }

  std::size_t size() const { return bytes_.size(); }

  void append(buffer& out, std::uint16_t packet_id, const stamp& s) const {
    const std::size_t at = out.size();
    out.resize(at + bytes_.size());
    std::uint8_t* p = out.data() + at;
    std::memcpy(p, bytes_.data(), bytes_.size());
    if (id_offset_ != 0) {
      p[id_offset_] = static_cast<std::uint8_t>(packet_id >> 8);
      p[id_offset_ + 1] = static_cast<std::uint8_t>(packet_id & 0xff);
    }
    p += payload_offset_;
    std::memcpy(p, &s.publisher, 4);
    std::memcpy(p + 4, &s.seq, 8);
    std::memcpy(p + 12, &s.sent_ns, 8);
  }

 private:
  buffer bytes_;
  std::size_t id_offset_ = 0;
  std::size_t payload_offset_ = 0;
};

// One complete packet inside a read buffer.
struct frame {
  std::uint8_t header = 0;  // type << 4 | flags
  const std::uint8_t* body = nullptr;
  std::size_t body_len = 0;
  std::size_t total = 0;  // fixed header + body

  std::uint8_t type() const { return header >> 4; }
};

enum class parse_status { ok, need_more, malformed };

// Finds the packet at the start of [p, p + n). need_more also reports, through `f.total`, how
// many bytes the packet needs when its length is already known (0 otherwise).
inline parse_status next_frame(const std::uint8_t* p, std::size_t n, frame& f) {
  f.total = 0;
  if (n < 2) return parse_status::need_more;
  std::size_t len = 0;
  std::size_t i = 1;
  for (unsigned shift = 0;; shift += 7, ++i) {
    if (i > 4) return parse_status::malformed;
    if (i >= n) return parse_status::need_more;
    len |= static_cast<std::size_t>(p[i] & 0x7f) << shift;
    if ((p[i] & 0x80) == 0) break;
  }
  f.header = p[0];
  f.body = p + i + 1;
  f.body_len = len;
  f.total = i + 1 + len;
  return n < f.total ? parse_status::need_more : parse_status::ok;
}

inline std::uint16_t read_u16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

struct publish_view {
  std::string_view topic;
  int qos = 0;
  std::uint16_t packet_id = 0;
  const std::uint8_t* payload = nullptr;
  std::size_t payload_len = 0;
};

inline std::optional<publish_view> parse_publish(const frame& f) {
  publish_view v;
  v.qos = (f.header >> 1) & 3;
  if (f.body_len < 2 || v.qos == 3) return std::nullopt;
  const std::size_t topic_len = read_u16(f.body);
  std::size_t at = 2 + topic_len;
  if (at + (v.qos > 0 ? 2 : 0) > f.body_len) return std::nullopt;
  v.topic = {reinterpret_cast<const char*>(f.body + 2), topic_len};
  if (v.qos > 0) {
    v.packet_id = read_u16(f.body + at);
    at += 2;
  }
  v.payload = f.body + at;
  v.payload_len = f.body_len - at;
  return v;
}

inline std::optional<stamp> read_stamp(const publish_view& v) {
  if (v.payload_len < stamp_size) return std::nullopt;
  stamp s;
  std::memcpy(&s.publisher, v.payload, 4);
  std::memcpy(&s.seq, v.payload + 4, 8);
  std::memcpy(&s.sent_ns, v.payload + 12, 8);
  return s;
}

}  // namespace edgegw::bench::wire
