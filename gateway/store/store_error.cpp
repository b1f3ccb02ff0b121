// The message table behind make_store_error (see store_error.hpp for why it exists).
#include "store_error.hpp"

#include <array>
#include <map>
#include <mutex>
#include <utility>

namespace edgegw::store {

namespace {

constexpr std::size_t max_entries = 64;

const char* kind_name(store_errc e) noexcept {
  switch (e) {
    case store_errc::cannot_open:
      return "store file cannot be opened";
    case store_errc::corrupt:
      return "store file is corrupt";
    case store_errc::not_a_database:
      return "store file is not an edgegw database";
    case store_errc::newer_schema:
      return "store file was written by a newer edgegw";
    case store_errc::locked:
      return "store file is in use by another process";
    case store_errc::io_error:
      return "store I/O error";
  }
  return "store error";
}

class condition_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "edgegw.store"; }
  std::string message(int v) const override { return kind_name(static_cast<store_errc>(v)); }
};

struct entry {
  int code = 0;  // 0: free
  std::string text;
};

// Process-wide ring of the most recent messages. A code carries its kind in the low bits
// and a sequence number above them, so a code whose message was recycled still compares
// as its kind and reads as the generic text of that kind.
class message_table {
 public:
  int intern(store_errc kind, std::string text) {
    std::lock_guard lock(mutex_);
    auto key = std::make_pair(kind, text);
    if (auto it = index_.find(key); it != index_.end()) return it->second;
    seq_ = seq_ % max_seq + 1;
    const int code = (seq_ << kind_bits) | static_cast<int>(kind);
    entry& e = entries_[static_cast<std::size_t>(seq_) % max_entries];
    if (e.code != 0) index_.erase({kind_of(e.code), e.text});
    e = {code, std::move(text)};
    index_.emplace(std::move(key), code);
    return code;
  }
  std::string text(int code) const {
    std::lock_guard lock(mutex_);
    const auto seq = static_cast<std::size_t>(code >> kind_bits);
    const entry& e = entries_[seq % max_entries];
    return e.code == code ? e.text : kind_name(kind_of(code));
  }
  static store_errc kind_of(int code) noexcept {
    return static_cast<store_errc>(code & ((1 << kind_bits) - 1));
  }

 private:
  static constexpr int kind_bits = 3;
  static constexpr int max_seq = (1 << 27) - 1;

  mutable std::mutex mutex_;
  int seq_ = 0;
  std::array<entry, max_entries> entries_;
  std::map<std::pair<store_errc, std::string>, int> index_;
};

message_table& table() {
  static message_table t;
  return t;
}

class detail_category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "edgegw.store.detail"; }
  std::string message(int v) const override { return table().text(v); }
  std::error_condition default_error_condition(int v) const noexcept override {
    return make_error_condition(message_table::kind_of(v));
  }
};

const std::error_category& detail_instance() noexcept {
  static const detail_category c;
  return c;
}

}  // namespace

const std::error_category& store_condition_category() noexcept {
  static const condition_category c;
  return c;
}

std::error_code make_store_error(store_errc kind, std::string message) {
  return {table().intern(kind, std::move(message)), detail_instance()};
}

}  // namespace edgegw::store
