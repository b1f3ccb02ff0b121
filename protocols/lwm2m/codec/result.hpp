// result<T>: a value or a reason string, never an exception. The LwM2M codecs report why
// input was refused in words, because that reason goes verbatim into the up/resp error
// response an application reads (SPEC.md section 11). Accessing the wrong side terminates.
#pragma once
#include <boost/outcome/result.hpp>
#include <string>

namespace edgegw::lwm2m {

namespace outcome = boost::outcome_v2;

template <class T, class E = std::string>
using result = outcome::result<T, E, outcome::policy::terminate>;

// `return fail("why");` from any function returning result<T>.
inline auto fail(std::string reason) {
  return outcome::failure(std::move(reason));
}

}  // namespace edgegw::lwm2m
