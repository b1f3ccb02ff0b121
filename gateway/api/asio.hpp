// Project-wide Asio include. Boost 1.74 + GCC 12 in C++20 mode needs <utility> before
// <boost/asio.hpp> (awaitable.hpp uses std::exchange without including it).
#pragma once
#include <utility>
#include <boost/asio.hpp>
