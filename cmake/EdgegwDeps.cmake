# Dependencies, all from Debian packages (see ../shared/CROSS.md for how each is found).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
pkg_check_modules(INIH REQUIRED IMPORTED_TARGET inih)

# mbedTLS 2.28 ships no pkg-config or CMake files.
find_path(MBEDTLS_INCLUDE_DIR mbedtls/ssl.h REQUIRED)
find_library(MBEDTLS_LIBRARY mbedtls REQUIRED)
find_library(MBEDX509_LIBRARY mbedx509 REQUIRED)
find_library(MBEDCRYPTO_LIBRARY mbedcrypto REQUIRED)
add_library(edgegw_mbedtls INTERFACE)
target_include_directories(edgegw_mbedtls SYSTEM INTERFACE ${MBEDTLS_INCLUDE_DIR})
target_link_libraries(edgegw_mbedtls INTERFACE ${MBEDTLS_LIBRARY} ${MBEDX509_LIBRARY} ${MBEDCRYPTO_LIBRARY})

# paho.mqtt.cpp (bridge): its CMake config pulls in paho.mqtt.c and OpenSSL.
find_package(PahoMqttCpp REQUIRED)

# libcoap 4.3 (CoAP and LwM2M gateways): edgegw takes only the headers (the same for every
# variant) and dlopen()s libcoap-3-notls or libcoap-3-openssl at start-up
# (protocols/coap/stack/libcoap_api.hpp). PkgConfig::COAP links the OpenSSL build, for the
# test tools that are libcoap clients (lwm2m_sim).
pkg_check_modules(COAP REQUIRED IMPORTED_TARGET libcoap-3-openssl)
add_library(edgegw_libcoap_headers INTERFACE)
target_include_directories(edgegw_libcoap_headers SYSTEM INTERFACE ${COAP_INCLUDE_DIRS})
target_compile_options(edgegw_libcoap_headers INTERFACE ${COAP_CFLAGS_OTHER})
target_link_libraries(edgegw_libcoap_headers INTERFACE ${CMAKE_DL_LIBS})
