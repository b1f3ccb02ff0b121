# LwM2M JSON command fuzzer: dn payloads to CoAP requests and the responses built from them.
edgegw_add_fuzzer(lwm2m_command ${CMAKE_CURRENT_SOURCE_DIR}/lwm2m_command.cpp edgegw_lwm2m_codec)
target_compile_definitions(fuzz_lwm2m_command PRIVATE
  EDGEGW_LWM2M_OBJECTS_DIR="${PROJECT_SOURCE_DIR}/etc/lwm2m")
