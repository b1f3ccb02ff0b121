# ACL file fuzzer: parse an ACL file, then evaluate a client's topic and filter against it.
edgegw_add_fuzzer(acl_file ${CMAKE_CURRENT_SOURCE_DIR}/acl_file.cpp edgegw_acl_file)
