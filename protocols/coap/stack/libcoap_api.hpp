// libcoap chosen at start-up: Debian's libcoap3 ships the same API in libcoap-3-notls,
// -gnutls and -openssl. The OpenSSL variant initialises OpenSSL in coap_startup() and
// builds a DTLS SSL_CTX in every coap_new_context() (about 2 MB of RSS), which only a DTLS
// endpoint needs, so edgegw does not link libcoap: the first stack to start dlopen()s
// libcoap-3-openssl when any constructed stack has a DTLS endpoint (PSK or certificates,
// CoAP or LwM2M), libcoap-3-notls otherwise, and fills the table the libcoap functions
// forward through (detail/libcoap_table.hpp). Loaded once per process, never unloaded.
#pragma once
#include <optional>

namespace edgegw::coap::libcoap {

enum class variant { notls, openssl };

const char* name(variant v);    // "notls", "openssl"
const char* soname(variant v);  // "libcoap-3-notls.so.3", ...

// Record that a stack of this process needs v (every stack calls this when constructed,
// before the first load(); the app builds all its services before starting any).
void need(variant v);
// Load the variant needed so far unless loaded already; logs one line when it loads.
// Throws std::runtime_error naming the library (and symbol) that cannot be loaded, or
// when OpenSSL is needed after the notls variant was loaded.
variant load();
// The loaded variant, if any.
std::optional<variant> loaded();

}  // namespace edgegw::coap::libcoap
