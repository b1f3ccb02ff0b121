// The LwM2M command an API request asks for: EMQX's query parameters of
// POST /api/v5/gateways/lwm2m/clients/{ep}/{read|write|observe} turned into the dn command
// JSON the gateway parses (and validates further). Pure, fuzzed with the gateway's parser
// (tests/fuzz/lwm2m_api_query.cmake).
#pragma once
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "gateway/http_api/request_target.hpp"

namespace edgegw::http_api {

// The command for `op` ("read", "write", "observe"), or why the query is bad.
std::variant<nlohmann::json, std::string> lwm2m_command(std::string_view op,
                                                        const request_target& t);

}  // namespace edgegw::http_api
