# MQTT-SN codec fuzzer: decode any datagram (and an encapsulated one's inner message),
# re-encode what decodes and check it decodes to the same value.
edgegw_add_fuzzer(mqttsn_codec ${CMAKE_CURRENT_SOURCE_DIR}/mqttsn_codec.cpp edgegw_mqttsn_codec)
