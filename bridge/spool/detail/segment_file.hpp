// Thin POSIX file helpers for the spool's segments: every call reports errno as an
// error_code instead of throwing, so the writer thread can retry and the spool can say
// exactly what failed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace edgegw::bridge::detail {

class file_handle {
 public:
  explicit file_handle(int fd) noexcept : fd_(fd) {}
  ~file_handle();
  file_handle(const file_handle&) = delete;
  file_handle& operator=(const file_handle&) = delete;
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
};
using file_ptr = std::shared_ptr<file_handle>;

// Opens (creating if asked) for reading and writing.
std::error_code open_file(const std::filesystem::path& p, bool create, file_ptr& out);
std::error_code write_all(const file_handle& f, std::string_view bytes);
std::error_code pread_all(const file_handle& f, uint64_t offset, std::size_t n, std::string& out);
std::error_code read_whole(const file_handle& f, std::string& out);
std::error_code truncate_to(const file_handle& f, uint64_t size);
std::error_code data_sync(const file_handle& f);
// fsync of a directory, so a created or removed file name survives a power loss.
std::error_code sync_dir(const std::filesystem::path& dir);
// An exclusive advisory lock (flock) held for the life of the handle.
std::error_code lock_dir(const std::filesystem::path& dir, file_ptr& out);

std::string segment_name(uint32_t id);
// The id in a segment file name, or 0 when the name is not one.
uint32_t segment_id(std::string_view name) noexcept;

}  // namespace edgegw::bridge::detail
