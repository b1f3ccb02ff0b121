# The store's message codec (blobs in SQLite, the bridge spool).
edgegw_add_fuzzer(store_message ${CMAKE_CURRENT_SOURCE_DIR}/store.cpp edgegw_store)
