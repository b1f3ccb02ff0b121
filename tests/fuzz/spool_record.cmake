# The bridge spool's record decoder and segment scan (bytes read back from disk).
edgegw_add_fuzzer(spool_record ${CMAKE_CURRENT_SOURCE_DIR}/spool_record.cpp edgegw_spool)
