// The dashboard's files (gateway/http_api/www/), compiled into the binary by
// www/embed.cmake at build time.
#pragma once
#include <string_view>

namespace edgegw::http_api {

struct www_asset {
  std::string_view path;  // "/www/app.js"
  std::string_view content_type;
  std::string_view body;
};

// "/" and "/index.html" give the page; nullptr for anything else not embedded.
const www_asset* find_www_asset(std::string_view path);

}  // namespace edgegw::http_api
