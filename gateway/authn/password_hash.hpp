// Password hashes in mosquitto 2.x's password-file format, so files written by
// mosquitto_passwd work unchanged:
//   $7$<iterations>$<salt base64>$<hash base64>   PBKDF2-HMAC-SHA512 (what we write)
//   $6$<salt base64>$<hash base64>                SHA512(password || salt) (read only)
// Hashing is mbedTLS; comparison is constant-time.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edgegw::authn {

struct password_hash {
  enum class kind : uint8_t { sha512 = 6, pbkdf2_sha512 = 7 };
  kind type = kind::pbkdf2_sha512;
  uint32_t iterations = 0;  // pbkdf2 only
  std::vector<uint8_t> salt;
  std::vector<uint8_t> hash;
};

// mosquitto_passwd's defaults: 101 iterations, 12 bytes of salt, a 64-byte hash.
constexpr uint32_t default_iterations = 101;
// Above this a single login would cost seconds of CPU on a small ARM board: refused.
constexpr uint32_t max_iterations = 10'000'000;

// Parses the part after "user:". nullopt with `*why` set when it is not one of the forms.
std::optional<password_hash> parse_hash(std::string_view text, std::string* why);
std::string format_hash(const password_hash& h);
// A new PBKDF2 hash of `password` with a random salt (mbedTLS CTR-DRBG over the OS entropy).
password_hash make_hash(std::string_view password, uint32_t iterations = default_iterations);
bool verify(const password_hash& h, std::string_view password);

// Standard base64 (with padding), as mosquitto writes it. nullopt on bad input.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view s);
std::string base64_encode(const std::vector<uint8_t>& b);

}  // namespace edgegw::authn
