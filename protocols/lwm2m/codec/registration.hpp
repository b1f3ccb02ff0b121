// Registration interface data (/rd register and update): the query parameters (ep, lt,
// lwm2m, b, sms, queue mode "Q", and any other the device sends) and the object list in the
// link-format payload, with its alternate path (a link with rt="oma.lwm2m"). The events
// EMQX publishes carry these as {"msgType": "register", "data": {"ep", "lt", "lwm2m", "b",
// "sms", ..., "alternatePath", "objectList"}}.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "result.hpp"

namespace edgegw::lwm2m {

struct registration {
  // Query parameters in arrival order, keys as sent ("ep", "lt", "lwm2m", "b", "sms"...).
  // A flag without "=" (LwM2M 1.1 "Q") has value "".
  std::vector<std::pair<std::string, std::string>> query;
  std::string alternate_path = "/";
  std::vector<std::string> object_list;  // "/1/0", "/3/0", "/5" ... without the alt. path
  bool has_object_list = false;          // the payload carried a link list

  std::optional<std::string> get(std::string_view key) const;
  std::string endpoint() const { return get("ep").value_or(""); }
  // "lt" as a number (absent: 86400, the LwM2M default).
  std::optional<uint32_t> lifetime() const;
  // Binding has "Q" (1.0 "UQ", "SQ", "UQS") or the 1.1 "Q" flag is present.
  bool queue_mode() const;
};

// Parse a register or update request: `query` the Uri-Query option values, `payload` the
// link-format body (may be empty). Register needs "ep"; both refuse a non-numeric "lt" and a
// malformed link list.
result<registration> parse_registration(const std::vector<std::string>& query,
                                        std::string_view payload, bool is_register);

// Apply an update: its query keys replace the old ones, its object list (if it has one)
// replaces the old list and alternate path.
void merge_update(registration& current, const registration& update);

// {"msgType": msg_type, "data": {...query (lt as a number)..., "alternatePath",
// "objectList"}}; msg_type is "register", "update" or "deregister".
nlohmann::json make_registration_event(std::string_view msg_type, const registration& reg);

}  // namespace edgegw::lwm2m
