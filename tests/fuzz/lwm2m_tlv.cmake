# LwM2M TLV fuzzer: structure parse/write/parse, decoding at several request paths with the
# shipped object definitions, JSON output.
edgegw_add_fuzzer(lwm2m_tlv ${CMAKE_CURRENT_SOURCE_DIR}/lwm2m_tlv.cpp edgegw_lwm2m_codec)
target_compile_definitions(fuzz_lwm2m_tlv PRIVATE
  EDGEGW_LWM2M_OBJECTS_DIR="${PROJECT_SOURCE_DIR}/etc/lwm2m")
