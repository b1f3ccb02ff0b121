// up/resp and up/notify messages in EMQX's shapes (emqx_lwm2m_cmd coap_to_mqtt): the
// command echoed with "data" replaced by reqPath, code, codeMsg and, for reads, content.
#include "response.hpp"

#include "content_format.hpp"
#include "decode.hpp"
#include "detail/utf8.hpp"

namespace edgegw::lwm2m {

namespace {

using json = nlohmann::json;

bool is_success(uint8_t code) {
  return (code >> 5) == 2;
}

json base(const command& cmd) {
  json out = cmd.request.is_object() ? cmd.request : json::object();
  if (!out.contains("msgType")) out["msgType"] = std::string(to_string(cmd.type));
  return out;
}

json data_of(const command& cmd, uint8_t code) {
  return json{{"reqPath", cmd.req_path}, {"code", code_string(code)}, {"codeMsg", code_msg(code)}};
}

// Decoded read-style content, or the 4.00 response saying why it did not decode.
json read_response(const command& cmd, uint8_t code, std::optional<uint16_t> format,
                   std::span<const uint8_t> payload, const object_registry& objects) {
  if (!is_success(code)) return make_response(cmd, code);
  auto entries =
      decode_content(format.value_or(content_format::text), payload, cmd.target, objects);
  if (!entries) {
    json out = make_response(cmd, coap_code::bad_request);
    out["data"]["reason"] = entries.error().reason;
    return out;
  }
  return make_response(cmd, code, to_json(entries.value(), cmd.encoding));
}

json with_msg_type(const command& cmd, const char* type) {
  json out = base(cmd);
  out["msgType"] = type;
  return out;
}

}  // namespace

std::string code_string(uint8_t code) {
  const int detail = code & 31;
  std::string s = std::to_string(code >> 5) + ".";
  if (detail < 10) s += '0';
  return s + std::to_string(detail);
}

std::string_view code_msg(uint8_t code) {
  switch (code) {
    case 0x01:
      return "get";
    case 0x02:
      return "post";
    case 0x03:
      return "put";
    case 0x04:
      return "delete";
    case 0x41:
      return "created";
    case 0x42:
      return "deleted";
    case 0x43:
      return "valid";
    case 0x44:
      return "changed";
    case 0x45:
      return "content";
    case 0x5F:
      return "continue";
    case 0x80:
      return "bad_request";
    case 0x81:
      return "unauthorized";
    case 0x82:
      return "bad_option";
    case 0x83:
      return "forbidden";
    case 0x84:
      return "not_found";
    case 0x85:
      return "method_not_allowed";
    case 0x86:
      return "not_acceptable";
    case 0x88:
      return "request_entity_incomplete";
    case 0x8C:
      return "precondition_failed";
    case 0x8D:
      return "request_entity_too_large";
    case 0x8F:
      return "unsupported_content_format";
    case 0xA0:
      return "internal_server_error";
    case 0xA1:
      return "not_implemented";
    case 0xA2:
      return "bad_gateway";
    case 0xA3:
      return "service_unavailable";
    case 0xA4:
      return "gateway_timeout";
    case 0xA5:
      return "proxying_not_supported";
    default:
      return "unknown";
  }
}

json make_response(const command& cmd, uint8_t code) {
  json out = base(cmd);
  out["data"] = data_of(cmd, code);
  return out;
}

json make_response(const command& cmd, uint8_t code, json content) {
  json out = base(cmd);
  out["data"] = data_of(cmd, code);
  out["data"]["content"] = std::move(content);
  return out;
}

json response_from_coap(const command& cmd, uint8_t code, std::optional<uint16_t> format,
                        std::span<const uint8_t> payload, const object_registry& objects) {
  switch (cmd.type) {
    case msg_type::read:
    case msg_type::observe:
    case msg_type::cancel_observe:
      return read_response(cmd, code, format, payload, objects);
    case msg_type::discover: {
      if (code != coap_code::content) return make_response(cmd, code);
      const std::string_view text(reinterpret_cast<const char*>(payload.data()), payload.size());
      // JSON strings must be UTF-8; a device's bytes are not trusted to be.
      if (!detail::valid_utf8(text)) {
        json out = make_response(cmd, coap_code::bad_request);
        out["data"]["reason"] = "link format is not valid UTF-8";
        return out;
      }
      json links = json::array();
      for (auto& l : split_links(text)) links.push_back(std::move(l));
      json out = make_response(cmd, code, std::move(links));
      return out;
    }
    case msg_type::write:
      // EMQX: a write answered 2.05 counts as changed, unless it came without payload.
      if (code == coap_code::content)
        return make_response(cmd,
                             payload.empty() ? coap_code::method_not_allowed : coap_code::changed);
      return make_response(cmd, code);
    default:
      return make_response(cmd, code);
  }
}

json make_notify(const command& observe_cmd, uint32_t seq_num, uint8_t code,
                 std::optional<uint16_t> format, std::span<const uint8_t> payload,
                 const object_registry& objects) {
  json out = read_response(observe_cmd, code, format, payload, objects);
  out["msgType"] = "notify";
  out["seqNum"] = seq_num;
  return out;
}

json make_ack(const command& cmd) {
  return with_msg_type(cmd, "ack");
}
json make_coap_timeout(const command& cmd) {
  return with_msg_type(cmd, "coap_timeout");
}
json make_coap_reset(const command& cmd) {
  return with_msg_type(cmd, "coap_reset");
}

json make_command_error(const command_error& err) {
  json out = err.request.is_object() ? err.request : json::object();
  json data = json::object();
  if (err.request.is_object() && err.request.contains("data") && err.request["data"].is_object()) {
    const auto& d = err.request["data"];
    for (const char* key : {"path", "basePath"}) {
      if (d.contains(key) && d[key].is_string()) {
        const auto& s = d[key].get_ref<const std::string&>();
        data["reqPath"] = s.substr(0, s.find('?'));
        break;
      }
    }
  }
  data["code"] = code_string(coap_code::bad_request);
  data["codeMsg"] = code_msg(coap_code::bad_request);
  data["reason"] = err.reason;
  out["data"] = std::move(data);
  return out;
}

}  // namespace edgegw::lwm2m
