# STOMP codec fuzzer: decode under each version with tight and default limits, split the
# input in two, re-encode what decodes and compare.
edgegw_add_fuzzer(stomp_codec ${CMAKE_CURRENT_SOURCE_DIR}/stomp_codec.cpp edgegw_stomp_codec)
