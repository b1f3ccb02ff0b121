// Messages the gateway publishes on up/resp and up/notify, shaped as EMQX shapes them:
// responses echo the command with "data": {"reqPath", "code", "codeMsg"[, "content"]};
// notifications add "seqNum"; ack / coap_timeout / coap_reset echo the command with that
// msgType; register / update / deregister carry the registration data.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "object_registry.hpp"

namespace edgegw::lwm2m {

// CoAP response codes as class*32+detail (0x45 is 2.05).
// "2.05" for 0x45.
std::string code_string(uint8_t code);
// EMQX's names: "content", "changed", "created", "deleted", "valid", "bad_request",
// "unauthorized", "bad_option", "forbidden", "not_found", "method_not_allowed",
// "not_acceptable", "request_entity_incomplete", "precondition_failed",
// "request_entity_too_large", "unsupported_content_format", "internal_server_error",
// "not_implemented", "bad_gateway", "service_unavailable", "gateway_timeout",
// "proxying_not_supported"; "unknown" for codes outside that table.
std::string_view code_msg(uint8_t code);

namespace coap_code {
inline constexpr uint8_t created = 0x41, deleted = 0x42, valid = 0x43, changed = 0x44,
                         content = 0x45, bad_request = 0x80, not_found = 0x84,
                         method_not_allowed = 0x85, not_acceptable = 0x86,
                         unsupported_content_format = 0x8F, internal_server_error = 0xA0,
                         service_unavailable = 0xA3, gateway_timeout = 0xA4;
}  // namespace coap_code

// A response with no content (write, execute, create, delete, write-attr, errors).
nlohmann::json make_response(const command& cmd, uint8_t code);
// A response with "content" (already in EMQX JSON form).
nlohmann::json make_response(const command& cmd, uint8_t code, nlohmann::json content);

// The up/resp message for the device's CoAP response to `cmd`, following EMQX: payloads of
// read/observe/cancel-observe are decoded with the object definitions (a payload that does
// not decode gives 4.00 bad_request with data.reason), discover gives the link list, a
// write answered 2.05 with content is reported as changed, errors carry no content.
// `format` is the response's Content-Format (absent: text/plain).
nlohmann::json response_from_coap(const command& cmd, uint8_t code, std::optional<uint16_t> format,
                                  std::span<const uint8_t> payload, const object_registry& objects);

// An observe notification for up/notify: as a read response with "msgType": "notify" and
// "seqNum" (the Observe option value).
nlohmann::json make_notify(const command& observe_cmd, uint32_t seq_num, uint8_t code,
                           std::optional<uint16_t> format, std::span<const uint8_t> payload,
                           const object_registry& objects);

// The command echoed with msgType "ack" (empty ACK of a separate response), "coap_timeout"
// or "coap_reset" (the device never answered / answered RST).
nlohmann::json make_ack(const command& cmd);
nlohmann::json make_coap_timeout(const command& cmd);
nlohmann::json make_coap_reset(const command& cmd);

// The up/resp error for a dn payload that parse_command refused: the command echoed (or
// {} when it was not a JSON object) with data {reqPath (if any), code "4.00", codeMsg
// "bad_request", reason}.
nlohmann::json make_command_error(const command_error& err);

}  // namespace edgegw::lwm2m
