# LwM2M link format / registration fuzzer: /rd query and object-list payloads.
edgegw_add_fuzzer(lwm2m_links ${CMAKE_CURRENT_SOURCE_DIR}/lwm2m_links.cpp edgegw_lwm2m_codec)
