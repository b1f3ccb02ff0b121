// MQTT-SN 1.2 datagram -> message (codec.hpp). Every field read is bounds-checked against
// the message's own Length, which must match the datagram exactly.
#include <type_traits>

#include "codec.hpp"

namespace edgegw::mqttsn {

namespace {

struct reader {
  const uint8_t* p;
  std::size_t n;
  std::size_t pos = 0;
  std::size_t left() const noexcept { return n - pos; }
  uint8_t u8() noexcept { return p[pos++]; }
  uint16_t u16() noexcept {
    uint16_t v = static_cast<uint16_t>((p[pos] << 8) | p[pos + 1]);
    pos += 2;
    return v;
  }
  std::string rest() {
    std::string s(reinterpret_cast<const char*>(p + pos), n - pos);
    pos = n;
    return s;
  }
};

decode_result bad(const char* why) noexcept {
  return {decode_status::malformed, why};
}

decode_result decode_encapsulated(std::span<const uint8_t> in, packet& out) {
  // Length covers Length, MsgType, Ctrl and the Wireless Node Id; the client's message
  // follows (section 5.5).
  std::size_t hdr = in[0];
  if (hdr < 3) return bad("encapsulation length below 3");
  if (in.size() <= hdr) return bad("encapsulated message missing");
  encapsulated e;
  e.ctrl = in[2];
  e.node_id.assign(reinterpret_cast<const char*>(in.data() + 3), hdr - 3);
  e.inner.assign(reinterpret_cast<const char*>(in.data() + hdr), in.size() - hdr);
  out = std::move(e);
  return {decode_status::ok, nullptr};
}

}  // namespace

flags decode_flags(uint8_t b) noexcept {
  flags f;
  f.dup = (b & 0x80) != 0;
  uint8_t q = (b >> 5) & 0x03;
  f.qos = q == 3 ? int8_t{-1} : static_cast<int8_t>(q);
  f.retain = (b & 0x10) != 0;
  f.will = (b & 0x08) != 0;
  f.clean_session = (b & 0x04) != 0;
  f.id_type = static_cast<topic_id_type>(b & 0x03);
  return f;
}

decode_result decode(std::span<const uint8_t> in, packet& out) {
  if (in.size() < 2) return bad("datagram shorter than 2 bytes");
  if (in[0] != 0x01 && in[1] == static_cast<uint8_t>(msg_type::encapsulated))
    return decode_encapsulated(in, out);
  std::size_t len, hdr;
  if (in[0] == 0x01) {
    if (in.size() < 4) return bad("3-octet length form too short");
    len = static_cast<std::size_t>((in[1] << 8) | in[2]);
    hdr = 3;
  } else {
    len = in[0];
    hdr = 1;
  }
  if (len == 0) return bad("length 0");
  if (len != in.size()) return bad("length field differs from datagram size");
  if (len < hdr + 1) return bad("no message type");
  auto type = static_cast<msg_type>(in[hdr]);
  reader r{in.data() + hdr + 1, len - hdr - 1};
  auto need = [&](std::size_t k) { return r.left() >= k; };
  auto exact = [&](std::size_t k) { return r.left() == k; };

  switch (type) {
    case msg_type::advertise: {
      if (!exact(3)) return bad("ADVERTISE size");
      advertise m;
      m.gw_id = r.u8();
      m.duration = r.u16();
      out = m;
      break;
    }
    case msg_type::searchgw: {
      if (!exact(1)) return bad("SEARCHGW size");
      out = searchgw{r.u8()};
      break;
    }
    case msg_type::gwinfo: {
      if (!need(1)) return bad("GWINFO size");
      gwinfo m;
      m.gw_id = r.u8();
      m.gw_address = r.rest();
      out = std::move(m);
      break;
    }
    case msg_type::connect: {
      if (!need(4)) return bad("CONNECT size");
      connect m;
      m.f = decode_flags(r.u8());
      m.protocol_id = r.u8();
      m.duration = r.u16();
      m.client_id = r.rest();
      out = std::move(m);
      break;
    }
    case msg_type::connack: {
      if (!exact(1)) return bad("CONNACK size");
      out = connack{static_cast<return_code>(r.u8())};
      break;
    }
    case msg_type::willtopicreq:
      if (!exact(0)) return bad("WILLTOPICREQ size");
      out = willtopicreq{};
      break;
    case msg_type::willmsgreq:
      if (!exact(0)) return bad("WILLMSGREQ size");
      out = willmsgreq{};
      break;
    case msg_type::pingresp:
      if (!exact(0)) return bad("PINGRESP size");
      out = pingresp{};
      break;
    case msg_type::willtopic:
    case msg_type::willtopicupd: {
      willtopic m;
      m.type = type;
      if (exact(0)) {
        m.empty = true;
      } else {
        m.f = decode_flags(r.u8());
        m.topic = r.rest();
      }
      out = std::move(m);
      break;
    }
    case msg_type::willmsg:
    case msg_type::willmsgupd: {
      willmsg m;
      m.type = type;
      m.msg = r.rest();
      out = std::move(m);
      break;
    }
    case msg_type::reg: {
      if (!need(4)) return bad("REGISTER size");
      reg m;
      m.topic_id = r.u16();
      m.msg_id = r.u16();
      m.topic_name = r.rest();
      out = std::move(m);
      break;
    }
    case msg_type::regack: {
      if (!exact(5)) return bad("REGACK size");
      regack m;
      m.topic_id = r.u16();
      m.msg_id = r.u16();
      m.rc = static_cast<return_code>(r.u8());
      out = m;
      break;
    }
    case msg_type::publish: {
      if (!need(5)) return bad("PUBLISH size");
      publish m;
      m.f = decode_flags(r.u8());
      m.topic_id = r.u16();
      m.msg_id = r.u16();
      m.data = r.rest();
      out = std::move(m);
      break;
    }
    case msg_type::puback: {
      if (!exact(5)) return bad("PUBACK size");
      puback m;
      m.topic_id = r.u16();
      m.msg_id = r.u16();
      m.rc = static_cast<return_code>(r.u8());
      out = m;
      break;
    }
    case msg_type::pubcomp:
    case msg_type::pubrec:
    case msg_type::pubrel:
    case msg_type::unsuback: {
      if (!exact(2)) return bad("message id size");
      out = msg_id_only{type, r.u16()};
      break;
    }
    case msg_type::subscribe:
    case msg_type::unsubscribe: {
      if (!need(3)) return bad("SUBSCRIBE size");
      subscribe m;
      m.type = type;
      m.f = decode_flags(r.u8());
      m.msg_id = r.u16();
      if (m.f.id_type == topic_id_type::predefined || m.f.id_type == topic_id_type::short_name) {
        if (!exact(2)) return bad("SUBSCRIBE topic id size");
        m.topic_id = r.u16();
      } else {
        m.topic_name = r.rest();
      }
      out = std::move(m);
      break;
    }
    case msg_type::suback: {
      if (!exact(6)) return bad("SUBACK size");
      suback m;
      m.f = decode_flags(r.u8());
      m.topic_id = r.u16();
      m.msg_id = r.u16();
      m.rc = static_cast<return_code>(r.u8());
      out = m;
      break;
    }
    case msg_type::pingreq:
      out = pingreq{r.rest()};
      break;
    case msg_type::disconnect: {
      disconnect m;
      if (exact(2)) {
        m.duration = r.u16();
      } else if (!exact(0)) {
        return bad("DISCONNECT size");
      }
      out = m;
      break;
    }
    case msg_type::willtopicresp:
    case msg_type::willmsgresp: {
      if (!exact(1)) return bad("WILL*RESP size");
      out = will_resp{type, static_cast<return_code>(r.u8())};
      break;
    }
    case msg_type::encapsulated:  // only reachable with the 3-octet length form
      return bad("encapsulated message with a 3-octet length");
    default:
      return {decode_status::unknown_type, "unknown message type"};
  }
  return {decode_status::ok, nullptr};
}

msg_type type_of(const packet& p) noexcept {
  return std::visit(
      [](const auto& m) -> msg_type {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, advertise>)
          return msg_type::advertise;
        else if constexpr (std::is_same_v<T, searchgw>)
          return msg_type::searchgw;
        else if constexpr (std::is_same_v<T, gwinfo>)
          return msg_type::gwinfo;
        else if constexpr (std::is_same_v<T, connect>)
          return msg_type::connect;
        else if constexpr (std::is_same_v<T, connack>)
          return msg_type::connack;
        else if constexpr (std::is_same_v<T, willtopicreq>)
          return msg_type::willtopicreq;
        else if constexpr (std::is_same_v<T, willmsgreq>)
          return msg_type::willmsgreq;
        else if constexpr (std::is_same_v<T, reg>)
          return msg_type::reg;
        else if constexpr (std::is_same_v<T, regack>)
          return msg_type::regack;
        else if constexpr (std::is_same_v<T, publish>)
          return msg_type::publish;
        else if constexpr (std::is_same_v<T, puback>)
          return msg_type::puback;
        else if constexpr (std::is_same_v<T, suback>)
          return msg_type::suback;
        else if constexpr (std::is_same_v<T, pingreq>)
          return msg_type::pingreq;
        else if constexpr (std::is_same_v<T, pingresp>)
          return msg_type::pingresp;
        else if constexpr (std::is_same_v<T, disconnect>)
          return msg_type::disconnect;
        else if constexpr (std::is_same_v<T, encapsulated>)
          return msg_type::encapsulated;
        else
          return m.type;  // willtopic, willmsg, msg_id_only, subscribe, will_resp
      },
      p);
}

const char* to_string(msg_type t) noexcept {
  switch (t) {
    case msg_type::advertise:
      return "ADVERTISE";
    case msg_type::searchgw:
      return "SEARCHGW";
    case msg_type::gwinfo:
      return "GWINFO";
    case msg_type::connect:
      return "CONNECT";
    case msg_type::connack:
      return "CONNACK";
    case msg_type::willtopicreq:
      return "WILLTOPICREQ";
    case msg_type::willtopic:
      return "WILLTOPIC";
    case msg_type::willmsgreq:
      return "WILLMSGREQ";
    case msg_type::willmsg:
      return "WILLMSG";
    case msg_type::reg:
      return "REGISTER";
    case msg_type::regack:
      return "REGACK";
    case msg_type::publish:
      return "PUBLISH";
    case msg_type::puback:
      return "PUBACK";
    case msg_type::pubcomp:
      return "PUBCOMP";
    case msg_type::pubrec:
      return "PUBREC";
    case msg_type::pubrel:
      return "PUBREL";
    case msg_type::subscribe:
      return "SUBSCRIBE";
    case msg_type::suback:
      return "SUBACK";
    case msg_type::unsubscribe:
      return "UNSUBSCRIBE";
    case msg_type::unsuback:
      return "UNSUBACK";
    case msg_type::pingreq:
      return "PINGREQ";
    case msg_type::pingresp:
      return "PINGRESP";
    case msg_type::disconnect:
      return "DISCONNECT";
    case msg_type::willtopicupd:
      return "WILLTOPICUPD";
    case msg_type::willtopicresp:
      return "WILLTOPICRESP";
    case msg_type::willmsgupd:
      return "WILLMSGUPD";
    case msg_type::willmsgresp:
      return "WILLMSGRESP";
    case msg_type::encapsulated:
      return "ENCAPSULATED";
  }
  return "UNKNOWN";
}

}  // namespace edgegw::mqttsn
