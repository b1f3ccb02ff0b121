# Client certificates as usernames (gateway/net/tls/peer_identity): a DER certificate from
# the network, parsed by mbedTLS, then its CN, first textual SAN and RFC 4514 DN.
edgegw_add_fuzzer(tls_peer_cert ${CMAKE_CURRENT_SOURCE_DIR}/tls_peer_cert.cpp edgegw_tls
  edgegw_mbedtls)
