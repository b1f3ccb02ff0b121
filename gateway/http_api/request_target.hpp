// Pure helpers for what an HTTP client sends: the request target (path segments and query
// parameters, percent-decoded), paging parameters and base64. No I/O, no throw: the
// fuzzer (tests/fuzz/http_api_target.cmake) feeds them arbitrary bytes.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgegw::http_api {

struct request_target {
  std::vector<std::string> segments;  // "/api/v5/clients/a%2Fb" -> {"api","v5","clients","a/b"}
  std::multimap<std::string, std::string, std::less<>> query;

  // The first value of a query parameter, if given.
  std::optional<std::string> param(std::string_view name) const;
};

// nullopt for a target that is not origin-form or has a bad %-escape.
std::optional<request_target> parse_target(std::string_view target);
// `plus_is_space`: query strings (application/x-www-form-urlencoded) only.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

struct paging {
  std::size_t page = 1;     // 1-based
  std::size_t limit = 100;  // EMQX's default page size
};
constexpr std::size_t max_page_limit = 10000;
// `error` gets a message when page/limit are not positive integers (limit <= max).
std::optional<paging> parse_paging(const request_target& t, std::string* error);

std::string base64_encode(std::string_view in);
std::optional<std::string> base64_decode(std::string_view in);

// "Basic dXNlcjpwYXNz" -> ("user", "pass")
std::optional<std::pair<std::string, std::string>> parse_basic_auth(std::string_view header);

// Equal without an early exit, so the time taken does not tell where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// Unix milliseconds -> RFC 3339 in UTC with milliseconds, as EMQX shows times
// ("2024-05-01T12:00:00.123+00:00").
std::string rfc3339(int64_t unix_ms);

}  // namespace edgegw::http_api
