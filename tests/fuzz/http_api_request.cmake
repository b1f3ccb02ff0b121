# The management API's request parsing (target, query, paging, basic auth, base64).
edgegw_add_fuzzer(http_api_request ${CMAKE_CURRENT_SOURCE_DIR}/http_api_request.cpp
  edgegw_http_text)
