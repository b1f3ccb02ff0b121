// See libcoap_api.hpp and detail/libcoap_table.hpp.
#include "protocols/coap/stack/libcoap_api.hpp"

#include <dlfcn.h>

#include <boost/preprocessor/repetition/enum.hpp>
#include <boost/preprocessor/repetition/enum_params.hpp>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

#include "gateway/api/log.hpp"
#include "protocols/coap/stack/detail/libcoap_table.hpp"

namespace edgegw::coap::libcoap {

namespace detail {

// Return and parameter types of a function type, for the forwards below.
template <class F>
struct signature;
template <class R, class... A>
struct signature<R(A...)> {
  using ret = R;
  template <std::size_t I>
  using arg = std::tuple_element_t<I, std::tuple<A...>>;
};
template <class F>
using ret_t = typename signature<F>::ret;
template <class F, std::size_t I>
using arg_t = typename signature<F>::template arg<I>;

std::string fill(const char* soname, table& t, void** handle) {
  void* h = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    const char* why = ::dlerror();
    return std::string("cannot load ") + soname +
           " (Debian package libcoap3): " + (why ? why : "unknown error");
  }
  table loaded;
  std::string missing;
  // dlsym on the handle: this library's own definitions, not the forwards in this program.
#define EDGEGW_LIBCOAP_SYM(name, arity)                          \
  if (missing.empty()) {                                         \
    if (void* p = ::dlsym(h, #name))                             \
      loaded.name = reinterpret_cast<decltype(loaded.name)>(p);  \
    else                                                         \
      missing = std::string(soname) + " has no symbol " + #name; \
  }
  EDGEGW_LIBCOAP_FUNCTIONS(EDGEGW_LIBCOAP_SYM)
#undef EDGEGW_LIBCOAP_SYM
  if (!missing.empty()) {
    ::dlclose(h);
    return missing;
  }
  t = loaded;
  *handle = h;
  return {};
}

}  // namespace detail

namespace {

// What the forwards call: written once by load(), before any stack uses libcoap (the
// stacks start on the app's thread before the io threads run).
detail::table active;

std::mutex mutex;
bool openssl_needed = false;
std::optional<variant> current;

}  // namespace

const char* name(variant v) {
  return v == variant::openssl ? "openssl" : "notls";
}

const char* soname(variant v) {
  // API version 3 (coap3/), the same soname on every Debian architecture.
  return v == variant::openssl ? "libcoap-3-openssl.so.3" : "libcoap-3-notls.so.3";
}

void need(variant v) {
  std::lock_guard lock(mutex);
  if (v == variant::openssl) openssl_needed = true;
}

variant load() {
  std::lock_guard lock(mutex);
  const variant want = openssl_needed ? variant::openssl : variant::notls;
  if (current) {
    if (*current == variant::notls && want == variant::openssl)
      throw std::runtime_error(std::string("DTLS needs ") + soname(variant::openssl) + " but " +
                               soname(variant::notls) + " was loaded by an earlier CoAP stack");
    return *current;
  }
  void* handle = nullptr;
  if (auto e = detail::fill(soname(want), active, &handle); !e.empty()) throw std::runtime_error(e);
  current = want;  // the handle stays open for the life of the process
  log::get("coap")->info("libcoap_loaded variant={} soname={}", name(want), soname(want));
  return want;
}

std::optional<variant> loaded() {
  std::lock_guard lock(mutex);
  return current;
}

}  // namespace edgegw::coap::libcoap

// libcoap's functions under their own names, each forwarding through the loaded table.
#define EDGEGW_LIBCOAP_PARAM(z, i, name) \
  ::edgegw::coap::libcoap::detail::arg_t<decltype(::name), i> a##i
#define EDGEGW_LIBCOAP_FORWARD(name, arity)                                      \
  extern "C" ::edgegw::coap::libcoap::detail::ret_t<decltype(::name)> name(      \
      BOOST_PP_ENUM(arity, EDGEGW_LIBCOAP_PARAM, name)) {                        \
    return ::edgegw::coap::libcoap::active.name(BOOST_PP_ENUM_PARAMS(arity, a)); \
  }
EDGEGW_LIBCOAP_FUNCTIONS(EDGEGW_LIBCOAP_FORWARD)
#undef EDGEGW_LIBCOAP_FORWARD
#undef EDGEGW_LIBCOAP_PARAM
