// The libcoap functions edgegw calls, as one X-macro list (name, number of parameters), and
// the table of pointers libcoap_api.cpp fills from the dlopen()ed library. Call sites keep
// libcoap's own names: libcoap_api.cpp defines each listed function as a one-line forward
// through the table, with its parameter types taken from libcoap's header (a wrong count
// does not compile), and edgegw does not link libcoap, so a function missing from this list
// is an undefined reference at link time.
#pragma once
#include <coap3/coap.h>

#include <string>

#define EDGEGW_LIBCOAP_FUNCTIONS(X)        \
  X(coap_add_data, 3)                      \
  X(coap_add_data_large_response, 12)      \
  X(coap_add_option, 4)                    \
  X(coap_add_resource, 2)                  \
  X(coap_add_token, 3)                     \
  X(coap_address_init, 1)                  \
  X(coap_async_is_supported, 0)            \
  X(coap_async_trigger, 1)                 \
  X(coap_cancel_observe, 3)                \
  X(coap_check_option, 3)                  \
  X(coap_context_get_coap_fd, 1)           \
  X(coap_context_set_block_mode, 2)        \
  X(coap_context_set_max_idle_sessions, 2) \
  X(coap_context_set_pki, 2)               \
  X(coap_context_set_pki_root_cas, 3)      \
  X(coap_context_set_psk2, 2)              \
  X(coap_decode_var_bytes, 2)              \
  X(coap_delete_pdu, 1)                    \
  X(coap_delete_resource, 2)               \
  X(coap_delete_string, 1)                 \
  X(coap_dtls_is_supported, 0)             \
  X(coap_dtls_set_log_level, 1)            \
  X(coap_encode_var_safe, 3)               \
  X(coap_endpoint_str, 1)                  \
  X(coap_find_async, 2)                    \
  X(coap_free_context, 1)                  \
  X(coap_get_app_data, 1)                  \
  X(coap_get_block_b, 4)                   \
  X(coap_get_data, 3)                      \
  X(coap_get_data_large, 5)                \
  X(coap_get_query, 1)                     \
  X(coap_io_prepare_epoll, 2)              \
  X(coap_io_process, 2)                    \
  X(coap_make_str_const, 1)                \
  X(coap_new_context, 1)                   \
  X(coap_new_endpoint, 3)                  \
  X(coap_new_message_id, 1)                \
  X(coap_new_pdu, 3)                       \
  X(coap_new_str_const, 2)                 \
  X(coap_opt_length, 1)                    \
  X(coap_opt_value, 1)                     \
  X(coap_option_iterator_init, 3)          \
  X(coap_option_next, 1)                   \
  X(coap_pdu_duplicate, 5)                 \
  X(coap_pdu_get_code, 1)                  \
  X(coap_pdu_get_token, 1)                 \
  X(coap_pdu_get_type, 1)                  \
  X(coap_pdu_init, 4)                      \
  X(coap_pdu_set_code, 2)                  \
  X(coap_register_async, 3)                \
  X(coap_register_event_handler, 2)        \
  X(coap_register_nack_handler, 2)         \
  X(coap_register_request_handler, 3)      \
  X(coap_register_response_handler, 2)     \
  X(coap_resource_init, 2)                 \
  X(coap_resource_unknown_init2, 2)        \
  X(coap_send, 2)                          \
  X(coap_session_get_addr_remote, 1)       \
  X(coap_session_get_app_data, 1)          \
  X(coap_session_get_context, 1)           \
  X(coap_session_get_proto, 1)             \
  X(coap_session_get_psk_identity, 1)      \
  X(coap_session_max_pdu_size, 1)          \
  X(coap_session_reference, 1)             \
  X(coap_session_release, 1)               \
  X(coap_session_send_ping, 1)             \
  X(coap_session_set_ack_timeout, 2)       \
  X(coap_session_set_app_data, 2)          \
  X(coap_session_set_max_retransmit, 2)    \
  X(coap_set_app_data, 2)                  \
  X(coap_set_log_handler, 1)               \
  X(coap_set_log_level, 1)                 \
  X(coap_startup, 0)                       \
  X(coap_ticks, 1)

namespace edgegw::coap::libcoap::detail {

// One pointer per listed function, named like it.
struct table {
#define EDGEGW_LIBCOAP_FIELD(name, arity) decltype(&::name) name = nullptr;
  EDGEGW_LIBCOAP_FUNCTIONS(EDGEGW_LIBCOAP_FIELD)
#undef EDGEGW_LIBCOAP_FIELD
};

// dlopen(soname) and dlsym every listed function into t. "" on success, else one line
// naming the library and the first missing symbol (the library is closed again then).
// Does not touch the process-wide table the wrappers use (libcoap_api.hpp's load() does).
std::string fill(const char* soname, table& t, void** handle);

}  // namespace edgegw::coap::libcoap::detail
