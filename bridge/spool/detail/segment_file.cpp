// POSIX file helpers for the spool; see segment_file.hpp.
#include "bridge/spool/detail/segment_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>

namespace edgegw::bridge::detail {

namespace {
std::error_code last_error() {
  return {errno, std::generic_category()};
}
constexpr std::string_view seg_prefix = "seg-";
constexpr std::string_view seg_suffix = ".log";
}  // namespace

file_handle::~file_handle() {
  if (fd_ >= 0) ::close(fd_);
}

std::error_code open_file(const std::filesystem::path& p, bool create, file_ptr& out) {
  const int fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0644);
  if (fd < 0) return last_error();
  out = std::make_shared<file_handle>(fd);
  return {};
}

std::error_code write_all(const file_handle& f, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(f.fd(), bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

std::error_code pread_all(const file_handle& f, uint64_t offset, std::size_t n, std::string& out) {
  out.resize(n);
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r =
        ::pread(f.fd(), out.data() + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (r == 0) return std::make_error_code(std::errc::io_error);  // file shorter than the index
    done += static_cast<std::size_t>(r);
  }
  return {};
}

std::error_code read_whole(const file_handle& f, std::string& out) {
  struct stat st {};
  if (::fstat(f.fd(), &st) != 0) return last_error();
  return pread_all(f, 0, static_cast<std::size_t>(st.st_size), out);
}

std::error_code truncate_to(const file_handle& f, uint64_t size) {
  if (::ftruncate(f.fd(), static_cast<off_t>(size)) != 0) return last_error();
  if (::lseek(f.fd(), static_cast<off_t>(size), SEEK_SET) < 0) return last_error();
  return {};
}

std::error_code data_sync(const file_handle& f) {
  if (::fdatasync(f.fd()) != 0) return last_error();
  return {};
}

std::error_code sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_error();
  const int rc = ::fsync(fd);
  const std::error_code ec = rc != 0 ? last_error() : std::error_code{};
  ::close(fd);
  return ec;
}

std::error_code lock_dir(const std::filesystem::path& dir, file_ptr& out) {
  const auto p = dir / "lock";
  const int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return last_error();
  auto h = std::make_shared<file_handle>(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) return last_error();
  out = std::move(h);
  return {};
}

std::string segment_name(uint32_t id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "seg-%010u.log", id);
  return buf;
}

uint32_t segment_id(std::string_view name) noexcept {
  if (name.size() != seg_prefix.size() + 10 + seg_suffix.size()) return 0;
  if (name.substr(0, seg_prefix.size()) != seg_prefix) return 0;
  if (name.substr(name.size() - seg_suffix.size()) != seg_suffix) return 0;
  const auto digits = name.substr(seg_prefix.size(), 10);
  uint32_t id = 0;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc{} || p != digits.data() + digits.size()) return 0;
  return id;
}

}  // namespace edgegw::bridge::detail
