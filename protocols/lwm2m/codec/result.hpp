// result<T>: a value or an error carrying a reason, never an exception. The LwM2M codecs
// say why input was refused in words, because that reason goes verbatim into the up/resp
// error response an application reads (SPEC.md section 11). Accessing the wrong side
// terminates.
#pragma once
#include <boost/outcome/result.hpp>
#include <string>

namespace edgegw::lwm2m {

namespace outcome = boost::outcome_v2;

// Why input was refused. A type of its own (not a bare std::string) so that a result whose
// value can itself be built from a string still converts unambiguously.
struct error {
  std::string reason;
};

template <class T, class E = error>
using result = outcome::result<T, E, outcome::policy::terminate>;

// `return fail("why");` from any function returning result<T>.
inline auto fail(std::string reason) {
  return outcome::failure(error{std::move(reason)});
}

}  // namespace edgegw::lwm2m
