// JSON commands applications publish on lwm2m/{ep}/dn (EMQX format, SPEC.md section 7),
// parsed and validated into the CoAP request to send: method, Uri-Path, Uri-Query, the
// Content-Format and payload, Accept and Observe. A command that cannot be sent gives a
// command_error whose reason goes into the up/resp error response.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "object_registry.hpp"
#include "path.hpp"
#include "result.hpp"
#include "value.hpp"

namespace edgegw::lwm2m {

enum class msg_type : uint8_t {
  read,
  discover,
  write,
  write_attr,
  execute,
  create,
  delete_,
  observe,
  cancel_observe
};
// "read", "discover", "write", "write-attr", "execute", "create", "delete", "observe",
// "cancel-observe".
std::string_view to_string(msg_type t) noexcept;

// CoAP request method codes (RFC 7252 section 12.1.1).
enum class coap_method : uint8_t { get = 1, post = 2, put = 3, delete_ = 4 };

struct command {
  msg_type type = msg_type::read;
  // The command as received: every response echoes its fields (reqID and whatever else the
  // application put there, as EMQX does), with msgType and data replaced.
  nlohmann::json request;
  std::string req_path;  // "reqPath" of responses: data.path, else data.basePath, no query
  lwm2m::path target;    // the Uri-Path (before any alternate path prefix)
  coap_method method = coap_method::get;
  std::vector<std::string> query;          // Uri-Query options, in order
  std::optional<uint16_t> content_format;  // of `payload`, when there is one
  std::optional<uint16_t> accept;          // discover asks for link format (40)
  std::optional<uint32_t> observe;         // 0 observe, 1 cancel-observe
  std::vector<uint8_t> payload;
  opaque_encoding encoding = opaque_encoding::base64;  // from "encoding": "hex"

  // Uri-Path segments to send: the alternate path's segments (from registration, "/" for
  // none) followed by the target's ids.
  std::vector<std::string> uri_path(std::string_view alternate_path = "/") const;
};

struct command_error {
  std::string reason;
  // The command object if the text was a JSON object (so the error response can echo
  // reqID and msgType), else null.
  nlohmann::json request;
};

// Parse one dn payload. Writes need `objects` only to check a write's value against the
// resource type when the command gives no "type"; commands always may give the type.
result<command, command_error> parse_command(std::string_view json_text,
                                             const object_registry& objects);

}  // namespace edgegw::lwm2m
