// libcoap_api: each Debian libcoap variant fills the whole table; a missing library or
// symbol is named; the process loads notls unless a stack needs DTLS, then openssl, and a
// DTLS stack after notls was loaded is refused. The load is once per process, so each
// variant runs in a forked child (death-test style "fast", which also works under
// qemu-user, where re-executing this binary does not); this process never calls load().
#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "gateway/api/asio.hpp"
#include "protocols/coap/stack/coap_stack.hpp"
#include "protocols/coap/stack/detail/libcoap_table.hpp"
#include "protocols/coap/stack/libcoap_api.hpp"

namespace edgegw::coap {
namespace {

using libcoap::variant;

int null_entries(const libcoap::detail::table& t) {
  int n = 0;
#define EDGEGW_COUNT_NULL(name, arity) n += t.name == nullptr;
  EDGEGW_LIBCOAP_FUNCTIONS(EDGEGW_COUNT_NULL)
#undef EDGEGW_COUNT_NULL
  return n;
}

int entries() {
  int n = 0;
#define EDGEGW_COUNT(name, arity) ++n;
  EDGEGW_LIBCOAP_FUNCTIONS(EDGEGW_COUNT)
#undef EDGEGW_COUNT
  return n;
}

TEST(LibcoapApi, EitherVariantFillsEveryEntry) {
  for (variant v : {variant::notls, variant::openssl}) {
    libcoap::detail::table t;
    void* handle = nullptr;
    ASSERT_EQ(libcoap::detail::fill(libcoap::soname(v), t, &handle), "") << libcoap::name(v);
    EXPECT_NE(handle, nullptr);
    EXPECT_EQ(null_entries(t), 0) << libcoap::name(v);
    EXPECT_EQ(t.coap_dtls_is_supported(), v == variant::openssl ? 1 : 0) << libcoap::name(v);
  }
}

TEST(LibcoapApi, MissingLibraryOrSymbolIsNamed) {
  libcoap::detail::table t;
  void* handle = nullptr;
  auto e = libcoap::detail::fill("libedgegw-no-such-coap.so.3", t, &handle);
  EXPECT_NE(e.find("cannot load libedgegw-no-such-coap.so.3"), std::string::npos) << e;
  // libc has none of them: the first listed function is named.
  e = libcoap::detail::fill("libc.so.6", t, &handle);
  EXPECT_EQ(e, "libc.so.6 has no symbol coap_add_data");
  EXPECT_EQ(handle, nullptr);
  EXPECT_EQ(null_entries(t), entries());  // the table is left as it was
}

stack_settings udp_only() {
  stack_settings s;
  s.udp = bind_address{"127.0.0.1", 0};
  return s;
}

stack_settings with_dtls_psk() {
  stack_settings s = udp_only();
  s.name = "coapd";
  s.dtls = bind_address{"127.0.0.1", 0};
  s.dtls_cfg.psk = {{"dev1", "secret1"}};
  return s;
}

// In the child: what the process loads when every stack is plain UDP, and that a DTLS
// stack started afterwards is refused with both libraries named.
[[noreturn]] void plain_then_dtls() {
  boost::asio::io_context io;
  bool ok = true;
  {
    stack plain(io, udp_only());
    plain.start();
    ok = ok && libcoap::loaded() == variant::notls && !coap_dtls_is_supported();
    ok = ok && plain.endpoints().size() == 1 && plain.endpoints()[0].first == "coap";
    stack secure(io, with_dtls_psk());
    try {
      secure.start();
      ok = false;
    } catch (const std::runtime_error& e) {
      std::string m = e.what();
      ok = ok && m.find("coapd: DTLS needs libcoap-3-openssl.so.3 but libcoap-3-notls.so.3") == 0;
    }
  }
  std::exit(ok ? 0 : 1);
}

// In the child: a DTLS stack constructed before the first start makes every stack use the
// OpenSSL variant, and its DTLS endpoint binds.
[[noreturn]] void dtls_first() {
  boost::asio::io_context io;
  bool ok = true;
  {
    stack plain(io, udp_only());
    stack secure(io, with_dtls_psk());
    plain.start();
    secure.start();
    ok = ok && libcoap::loaded() == variant::openssl && coap_dtls_is_supported();
    ok = ok && secure.endpoints().size() == 2 && secure.endpoints()[1].first == "coapd_dtls";
  }
  std::exit(ok ? 0 : 1);
}

TEST(LibcoapApi, NotlsUnlessAStackNeedsDtls) {
  EXPECT_EXIT(plain_then_dtls(), testing::ExitedWithCode(0), "");
}

TEST(LibcoapApi, OpensslWhenAStackNeedsDtls) {
  EXPECT_EXIT(dtls_first(), testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace edgegw::coap
