// result<T>: a value or an error_code, never an exception (STYLE.md "Errors"). An alias to
// Boost.Outcome so it can become std::expected later without touching callers.
#pragma once
#include <boost/outcome/std_result.hpp>
#include <system_error>

namespace edgegw {
namespace outcome = boost::outcome_v2;
template <class T>
using result = outcome::std_result<T>;
using outcome::success;
}  // namespace edgegw
