# Pre-shared key files (gateway/net/tls/psk_keys: psk_file of TLS listeners).
edgegw_add_fuzzer(psk_file ${CMAKE_CURRENT_SOURCE_DIR}/psk_file.cpp edgegw_tls)
