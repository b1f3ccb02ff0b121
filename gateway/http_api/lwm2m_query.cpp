// See lwm2m_query.hpp.
#include "gateway/http_api/lwm2m_query.hpp"

#include <algorithm>
#include <array>

namespace edgegw::http_api {

using nlohmann::json;

std::variant<json, std::string> lwm2m_command(std::string_view op, const request_target& t) {
  auto path = t.param("path");
  if (!path || path->empty()) return std::string("path is required");
  json data = {{"path", *path}};
  if (op == "read") return json{{"msgType", "read"}, {"data", std::move(data)}};
  if (op == "observe") {
    auto enable = t.param("enable");
    if (!enable || (*enable != "true" && *enable != "false"))
      return std::string("enable must be true or false");
    return json{{"msgType", *enable == "true" ? "observe" : "cancel-observe"},
                {"data", std::move(data)}};
  }
  if (op == "write") {
    // EMQX's data types; the value is checked against it by the gateway's parser.
    static constexpr std::array<std::string_view, 7> types = {
        "Integer", "Float", "Time", "String", "Boolean", "Opaque", "Objlnk"};
    auto type = t.param("type");
    if (!type || std::find(types.begin(), types.end(), *type) == types.end())
      return std::string(
          "type must be one of Integer, Float, Time, String, Boolean, Opaque, "
          "Objlnk");
    auto value = t.param("value");
    if (!value) return std::string("value is required");
    data["type"] = *type;
    data["value"] = *value;
    return json{{"msgType", "write"}, {"data", std::move(data)}};
  }
  return std::string("unknown operation");
}

}  // namespace edgegw::http_api
