# LwM2M SenML fuzzer: the same bytes through SenML JSON, SenML CBOR and OMA JSON.
edgegw_add_fuzzer(lwm2m_senml ${CMAKE_CURRENT_SOURCE_DIR}/lwm2m_senml.cpp edgegw_lwm2m_codec)
target_compile_definitions(fuzz_lwm2m_senml PRIVATE
  EDGEGW_LWM2M_OBJECTS_DIR="${PROJECT_SOURCE_DIR}/etc/lwm2m")
