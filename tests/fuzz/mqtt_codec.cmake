# MQTT codec fuzzer: decode with every version, re-encode what decodes, compare.
edgegw_add_fuzzer(mqtt_codec ${CMAKE_CURRENT_SOURCE_DIR}/mqtt_codec.cpp edgegw_mqtt_codec)
