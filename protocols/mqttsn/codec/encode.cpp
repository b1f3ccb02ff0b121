// Message -> MQTT-SN 1.2 datagram (codec.hpp). The body is written first into the output,
// after room for the longest Length form, then the header is fixed up, so nothing is
// copied twice.
#include <type_traits>

#include "codec.hpp"

namespace edgegw::mqttsn {

namespace {

constexpr std::size_t max_message = 65535;

struct writer {
  std::string& out;
  void u8(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void u16(uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xFF));
  }
  void bytes(std::string_view s) { out.append(s); }
};

// Append the header and the body written by `body`; 0 (and `out` as it was) when too big.
template <class Body>
std::size_t frame(msg_type t, std::string& out, Body&& body) {
  const std::size_t start = out.size();
  out.append(3, '\0');  // room for the 3-octet length form
  writer w{out};
  w.u8(static_cast<uint8_t>(t));
  body(w);
  const std::size_t body_len = out.size() - start - 3;  // type + fields
  if (body_len + 1 < 256) {
    // One-octet form: drop the two spare octets.
    out.erase(start, 2);
    out[start] = static_cast<char>(body_len + 1);
    return body_len + 1;
  }
  const std::size_t total = body_len + 3;
  if (total > max_message) {
    out.resize(start);
    return 0;
  }
  out[start] = 0x01;
  out[start + 1] = static_cast<char>(total >> 8);
  out[start + 2] = static_cast<char>(total & 0xFF);
  return total;
}

bool one_of(msg_type t, std::initializer_list<msg_type> ok) {
  for (auto o : ok)
    if (t == o) return true;
  return false;
}

}  // namespace

uint8_t encode_flags(const flags& f) noexcept {
  uint8_t q = f.qos < 0 ? 3 : static_cast<uint8_t>(f.qos & 0x03);
  return static_cast<uint8_t>((f.dup ? 0x80 : 0) | (q << 5) | (f.retain ? 0x10 : 0) |
                              (f.will ? 0x08 : 0) | (f.clean_session ? 0x04 : 0) |
                              (static_cast<uint8_t>(f.id_type) & 0x03));
}

std::size_t encode_publish(const flags& f, uint16_t topic_id, uint16_t msg_id,
                           std::string_view data, std::string& out) {
  return frame(msg_type::publish, out, [&](writer& w) {
    w.u8(encode_flags(f));
    w.u16(topic_id);
    w.u16(msg_id);
    w.bytes(data);
  });
}

std::size_t encode(const packet& p, std::string& out) {
  return std::visit(
      [&](const auto& m) -> std::size_t {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, advertise>) {
          return frame(msg_type::advertise, out, [&](writer& w) {
            w.u8(m.gw_id);
            w.u16(m.duration);
          });
        } else if constexpr (std::is_same_v<T, searchgw>) {
          return frame(msg_type::searchgw, out, [&](writer& w) { w.u8(m.radius); });
        } else if constexpr (std::is_same_v<T, gwinfo>) {
          return frame(msg_type::gwinfo, out, [&](writer& w) {
            w.u8(m.gw_id);
            w.bytes(m.gw_address);
          });
        } else if constexpr (std::is_same_v<T, connect>) {
          return frame(msg_type::connect, out, [&](writer& w) {
            w.u8(encode_flags(m.f));
            w.u8(m.protocol_id);
            w.u16(m.duration);
            w.bytes(m.client_id);
          });
        } else if constexpr (std::is_same_v<T, connack>) {
          return frame(msg_type::connack, out,
                       [&](writer& w) { w.u8(static_cast<uint8_t>(m.rc)); });
        } else if constexpr (std::is_same_v<T, willtopicreq>) {
          return frame(msg_type::willtopicreq, out, [](writer&) {});
        } else if constexpr (std::is_same_v<T, willmsgreq>) {
          return frame(msg_type::willmsgreq, out, [](writer&) {});
        } else if constexpr (std::is_same_v<T, pingresp>) {
          return frame(msg_type::pingresp, out, [](writer&) {});
        } else if constexpr (std::is_same_v<T, willtopic>) {
          if (!one_of(m.type, {msg_type::willtopic, msg_type::willtopicupd})) return 0;
          return frame(m.type, out, [&](writer& w) {
            if (m.empty) return;
            w.u8(encode_flags(m.f));
            w.bytes(m.topic);
          });
        } else if constexpr (std::is_same_v<T, willmsg>) {
          if (!one_of(m.type, {msg_type::willmsg, msg_type::willmsgupd})) return 0;
          return frame(m.type, out, [&](writer& w) { w.bytes(m.msg); });
        } else if constexpr (std::is_same_v<T, reg>) {
          return frame(msg_type::reg, out, [&](writer& w) {
            w.u16(m.topic_id);
            w.u16(m.msg_id);
            w.bytes(m.topic_name);
          });
        } else if constexpr (std::is_same_v<T, regack>) {
          return frame(msg_type::regack, out, [&](writer& w) {
            w.u16(m.topic_id);
            w.u16(m.msg_id);
            w.u8(static_cast<uint8_t>(m.rc));
          });
        } else if constexpr (std::is_same_v<T, publish>) {
          return encode_publish(m.f, m.topic_id, m.msg_id, m.data, out);
        } else if constexpr (std::is_same_v<T, puback>) {
          return frame(msg_type::puback, out, [&](writer& w) {
            w.u16(m.topic_id);
            w.u16(m.msg_id);
            w.u8(static_cast<uint8_t>(m.rc));
          });
        } else if constexpr (std::is_same_v<T, msg_id_only>) {
          if (!one_of(m.type,
                      {msg_type::pubrec, msg_type::pubrel, msg_type::pubcomp, msg_type::unsuback}))
            return 0;
          return frame(m.type, out, [&](writer& w) { w.u16(m.msg_id); });
        } else if constexpr (std::is_same_v<T, subscribe>) {
          if (!one_of(m.type, {msg_type::subscribe, msg_type::unsubscribe})) return 0;
          return frame(m.type, out, [&](writer& w) {
            w.u8(encode_flags(m.f));
            w.u16(m.msg_id);
            if (m.f.id_type == topic_id_type::predefined ||
                m.f.id_type == topic_id_type::short_name)
              w.u16(m.topic_id);
            else
              w.bytes(m.topic_name);
          });
        } else if constexpr (std::is_same_v<T, suback>) {
          return frame(msg_type::suback, out, [&](writer& w) {
            w.u8(encode_flags(m.f));
            w.u16(m.topic_id);
            w.u16(m.msg_id);
            w.u8(static_cast<uint8_t>(m.rc));
          });
        } else if constexpr (std::is_same_v<T, pingreq>) {
          return frame(msg_type::pingreq, out, [&](writer& w) { w.bytes(m.client_id); });
        } else if constexpr (std::is_same_v<T, disconnect>) {
          return frame(msg_type::disconnect, out, [&](writer& w) {
            if (m.duration) w.u16(*m.duration);
          });
        } else if constexpr (std::is_same_v<T, will_resp>) {
          if (!one_of(m.type, {msg_type::willtopicresp, msg_type::willmsgresp})) return 0;
          return frame(m.type, out, [&](writer& w) { w.u8(static_cast<uint8_t>(m.rc)); });
        } else {
          static_assert(std::is_same_v<T, encapsulated>);
          const std::size_t hdr = 3 + m.node_id.size();
          if (hdr > 255 || m.inner.empty() || hdr + m.inner.size() > max_message) return 0;
          out.push_back(static_cast<char>(hdr));
          out.push_back(static_cast<char>(msg_type::encapsulated));
          out.push_back(static_cast<char>(m.ctrl));
          out.append(m.node_id);
          out.append(m.inner);
          return hdr + m.inner.size();
        }
      },
      p);
}

}  // namespace edgegw::mqttsn
