// libFuzzer target for the MQTT codec. Each input is a byte stream decoded as MQTT 3.1,
// 3.1.1 and 5 in turn, packet after packet. Any decoder result must be consistent
// (need_more consumes nothing and asks for more than it has; errors carry a text), and
// every packet that decodes must: need more for any strict prefix, respect the size limit
// exactly, re-encode to a size encoded_size predicts, decode back equal, re-encode to the
// same bytes again, and (PUBLISH) give the same bytes through encode_publish.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "protocols/mqtt/codec/codec.hpp"

namespace {

using namespace edgegw::mqtt;

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "mqtt_codec fuzz check failed: %s\n", what);
    std::abort();
  }
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void check_packet(std::span<const uint8_t> wire, version ver, const packet& p) {
  packet scratch;
  auto r = decode(wire.first(wire.size() - 1), ver, 0, scratch);
  require(r.status == decode_status::need_more && r.consumed == 0, "prefix not need_more");
  r = decode(wire.first(wire.size() / 2), ver, 0, scratch);
  require(r.status == decode_status::need_more, "half packet not need_more");
  const auto size = static_cast<uint32_t>(wire.size());
  require(decode(wire, ver, size, scratch).status == decode_status::ok, "exact limit refused");
  require(decode(wire, ver, size - 1, scratch).status == decode_status::packet_too_large,
          "limit not enforced");

  std::string enc;
  const std::size_t n = encode(p, ver, enc);
  require(n != 0 && n == enc.size(), "decoded packet does not encode");
  require(encoded_size(p, ver) == n, "encoded_size differs from encode");
  packet again;
  r = decode(as_bytes(enc), ver, 0, again);
  require(r.status == decode_status::ok && r.consumed == n, "re-encoded packet does not decode");
  require(again == p, "round trip changed the packet");
  std::string enc2;
  encode(again, ver, enc2);
  require(enc2 == enc, "encoding is not stable");

  if (const auto* pub = std::get_if<publish>(&p)) {
    const publish_view v{pub->dup,       pub->qos,    pub->retain, pub->topic,
                         pub->packet_id, &pub->props, pub->payload};
    std::string fast;
    require(encode_publish(v, ver, fast) == n && fast == enc, "encode_publish differs");
    require(encoded_publish_size(v, ver) == n, "encoded_publish_size differs");
  }
}

void check_stream(std::span<const uint8_t> in, version ver) {
  packet p;  // reused across packets, as a connection does
  while (!in.empty()) {
    const auto r = decode(in, ver, 0, p);
    if (r.status == decode_status::need_more) {
      require(r.consumed == 0 && r.needed > in.size(), "need_more inconsistent");
      return;
    }
    if (r.status != decode_status::ok) {
      require(r.consumed == 0 && r.error != nullptr, "error without text");
      return;
    }
    require(r.consumed >= 2 && r.consumed <= in.size(), "consumed out of range");
    check_packet(in.first(r.consumed), ver, p);
    in = in.subspan(r.consumed);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> in(data, size);
  for (auto ver : {version::v31, version::v311, version::v5}) check_stream(in, ver);
  return 0;
}
