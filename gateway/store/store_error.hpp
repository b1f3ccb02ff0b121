// Errors of durable_store::load(). They must name the file and say how to recover, but a
// std::error_code holds only an int, so the message is kept in a small process-wide table
// and the code indexes it: ec.message() gives the full sentence, and `ec == store_errc::x`
// still tells the kinds apart (store_errc is an error condition).
#pragma once
#include <cstdint>
#include <string>
#include <system_error>

namespace edgegw::store {

enum class store_errc : uint8_t {
  cannot_open = 1,  // the file or its directory cannot be created or opened
  corrupt,          // SQLite or quick_check found damage, or the file is truncated
  not_a_database,   // not a SQLite file, or a SQLite file that is not edgegw's
  newer_schema,     // written by a newer edgegw
  locked,           // another process holds the database
  io_error,         // any other SQLite failure
};

const std::error_category& store_condition_category() noexcept;
inline std::error_condition make_error_condition(store_errc e) noexcept {
  return {static_cast<int>(e), store_condition_category()};
}

// An error_code of kind `kind` whose message() is `message`. Identical messages share one
// entry; the table keeps the latest 64, so repeated failures cannot grow memory (an older
// code still compares equal to its kind and reads as the kind's generic text).
std::error_code make_store_error(store_errc kind, std::string message);

}  // namespace edgegw::store

template <>
struct std::is_error_condition_enum<edgegw::store::store_errc> : std::true_type {};
