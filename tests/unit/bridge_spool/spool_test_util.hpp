// Helpers shared by the spool tests: a fresh temporary directory per test, messages with
// recognisable contents, and hand-built frames (for damage the encoder never produces).
#pragma once
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "bridge/spool/detail/record_codec.hpp"
#include "bridge/spool/spool.hpp"

namespace edgegw::bridge::test {

class temp_dir {
 public:
  temp_dir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("edgegw-spool-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline message_ptr msg(uint64_t n, std::string topic = "dev/sensor/temperature") {
  message m;
  m.topic = std::move(topic);
  m.payload = "payload-" + std::to_string(n) + std::string(40, 'x');
  m.qos = 1;
  return make_message(std::move(m));
}

inline std::string varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

// A frame around `body` with a correct length and checksum.
inline std::string seal(const std::string& body) {
  const std::string covered = varint(body.size()) + body;
  const uint32_t c = crc32c(covered);
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((c >> (8 * i)) & 0xFF));
  return out + covered;
}

inline spool_options options(const std::filesystem::path& dir) {
  spool_options o;
  o.dir = dir;
  o.flush_interval = std::chrono::milliseconds(2);
  return o;
}

}  // namespace edgegw::bridge::test
