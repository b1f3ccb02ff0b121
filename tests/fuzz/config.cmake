# The configuration loader: arbitrary bytes as an ini file (and --set lines).
edgegw_add_fuzzer(config ${CMAKE_CURRENT_SOURCE_DIR}/config.cpp edgegw_config)
