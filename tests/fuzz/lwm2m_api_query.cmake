# The LwM2M client API's query -> dn command, through the gateway's command parser.
edgegw_add_fuzzer(lwm2m_api_query ${CMAKE_CURRENT_SOURCE_DIR}/lwm2m_api_query.cpp
  edgegw_http_text edgegw_lwm2m_codec)
target_compile_definitions(fuzz_lwm2m_api_query PRIVATE
  EDGEGW_LWM2M_OBJECTS_DIR="${PROJECT_SOURCE_DIR}/etc/lwm2m")
