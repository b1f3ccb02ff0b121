# CoAP Block1 reassembly fuzzer: block sequences a client controls (numbers, sizes, More,
# Size1, repeats, gaps, time) against the gateway's own reassembly state and its limits.
edgegw_add_fuzzer(coap_block1 ${CMAKE_CURRENT_SOURCE_DIR}/coap_block1.cpp)
target_sources(fuzz_coap_block1 PRIVATE
  ${PROJECT_SOURCE_DIR}/protocols/coap/gateway/block1_assembly.cpp)
target_include_directories(fuzz_coap_block1 PRIVATE ${PROJECT_SOURCE_DIR})
