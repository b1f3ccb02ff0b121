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

# libcoap 4.3 (CoAP and LwM2M gateways): the OpenSSL build, since paho brings OpenSSL anyway.
pkg_check_modules(COAP REQUIRED IMPORTED_TARGET libcoap-3-openssl)
