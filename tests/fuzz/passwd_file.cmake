# The password-file parser (auth.password_file; files users bring from mosquitto_passwd).
edgegw_add_fuzzer(passwd_file ${CMAKE_CURRENT_SOURCE_DIR}/passwd_file.cpp edgegw_passwd_file)
