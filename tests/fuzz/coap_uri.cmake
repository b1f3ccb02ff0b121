# CoAP URI / query / topic mapping fuzzer (libcoap parses the wire; this is our part).
edgegw_add_fuzzer(coap_uri ${CMAKE_CURRENT_SOURCE_DIR}/coap_uri.cpp edgegw_coap_mapping)
