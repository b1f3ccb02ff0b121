// See password_hash.hpp.
#include "gateway/authn/password_hash.hpp"

#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pkcs5.h>

#include <charconv>
#include <mutex>
#include <stdexcept>

namespace edgegw::authn {

namespace {

constexpr std::size_t salt_len = 12;
constexpr std::size_t sha512_len = 64;

std::vector<std::string_view> split_dollar(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto p = s.find('$', start);
    parts.push_back(
        s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return parts;
}

std::vector<uint8_t> sha512_salted(std::string_view password, const std::vector<uint8_t>& salt) {
  std::vector<uint8_t> out(sha512_len);
  mbedtls_md_context_t ctx;
  mbedtls_md_init(&ctx);
  const mbedtls_md_info_t* info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
  int rc = mbedtls_md_setup(&ctx, info, 0);
  if (rc == 0) rc = mbedtls_md_starts(&ctx);
  if (rc == 0)
    rc = mbedtls_md_update(&ctx, reinterpret_cast<const unsigned char*>(password.data()),
                           password.size());
  if (rc == 0) rc = mbedtls_md_update(&ctx, salt.data(), salt.size());
  if (rc == 0) rc = mbedtls_md_finish(&ctx, out.data());
  mbedtls_md_free(&ctx);
  if (rc != 0) throw std::runtime_error("sha512 failed");
  return out;
}

std::vector<uint8_t> pbkdf2(std::string_view password, const std::vector<uint8_t>& salt,
                            uint32_t iterations, std::size_t len) {
  std::vector<uint8_t> out(len);
  mbedtls_md_context_t ctx;
  mbedtls_md_init(&ctx);
  int rc = mbedtls_md_setup(&ctx, mbedtls_md_info_from_type(MBEDTLS_MD_SHA512), 1);
  if (rc == 0)
    rc = mbedtls_pkcs5_pbkdf2_hmac(&ctx, reinterpret_cast<const unsigned char*>(password.data()),
                                   password.size(), salt.data(), salt.size(), iterations,
                                   static_cast<uint32_t>(len), out.data());
  mbedtls_md_free(&ctx);
  if (rc != 0) throw std::runtime_error("pbkdf2 failed");
  return out;
}

bool equal_constant_time(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size()) return false;
  volatile uint8_t diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<uint8_t>(a[i] ^ b[i]);
  return diff == 0;
}

// One DRBG for the process, seeded once from the OS entropy source.
void random_bytes(uint8_t* out, std::size_t n) {
  static std::mutex mu;
  static mbedtls_entropy_context entropy;
  static mbedtls_ctr_drbg_context drbg;
  static bool seeded = false;
  std::lock_guard lk(mu);
  if (!seeded) {
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    static const char pers[] = "edgegw-passwd";
    if (mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                              reinterpret_cast<const unsigned char*>(pers), sizeof pers - 1) != 0)
      throw std::runtime_error("cannot seed the random generator");
    seeded = true;
  }
  if (mbedtls_ctr_drbg_random(&drbg, out, n) != 0)
    throw std::runtime_error("random generator failed");
}

}  // namespace

std::optional<std::vector<uint8_t>> base64_decode(std::string_view s) {
  std::size_t n = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(s.data());
  int rc = mbedtls_base64_decode(nullptr, 0, &n, in, s.size());
  if (rc != 0 && rc != MBEDTLS_ERR_BASE64_BUFFER_TOO_SMALL) return std::nullopt;
  std::vector<uint8_t> out(n);
  if (mbedtls_base64_decode(out.data(), out.size(), &n, in, s.size()) != 0) return std::nullopt;
  out.resize(n);
  return out;
}

std::string base64_encode(const std::vector<uint8_t>& b) {
  std::size_t n = 0;
  mbedtls_base64_encode(nullptr, 0, &n, b.data(), b.size());
  std::string out(n, '\0');
  if (mbedtls_base64_encode(reinterpret_cast<unsigned char*>(out.data()), out.size(), &n, b.data(),
                            b.size()) != 0)
    return {};
  out.resize(n);
  return out;
}

std::optional<password_hash> parse_hash(std::string_view text, std::string* why) {
  auto fail = [&](const char* w) -> std::optional<password_hash> {
    if (why) *why = w;
    return std::nullopt;
  };
  auto parts = split_dollar(text);
  if (parts.size() < 2 || !parts[0].empty()) return fail("hash must start with $6$ or $7$");
  password_hash h;
  std::string_view salt_b64, hash_b64;
  if (parts[1] == "7") {
    if (parts.size() != 5) return fail("expected $7$<iterations>$<salt>$<hash>");
    uint32_t it = 0;
    auto [p, ec] = std::from_chars(parts[2].data(), parts[2].data() + parts[2].size(), it);
    if (ec != std::errc{} || p != parts[2].data() + parts[2].size() || it == 0)
      return fail("bad iteration count");
    if (it > max_iterations) return fail("iteration count too large");
    h.type = password_hash::kind::pbkdf2_sha512;
    h.iterations = it;
    salt_b64 = parts[3];
    hash_b64 = parts[4];
  } else if (parts[1] == "6") {
    if (parts.size() != 4) return fail("expected $6$<salt>$<hash>");
    h.type = password_hash::kind::sha512;
    salt_b64 = parts[2];
    hash_b64 = parts[3];
  } else {
    return fail("unknown hash type (only $6$ and $7$)");
  }
  auto salt = base64_decode(salt_b64);
  if (!salt || salt->empty()) return fail("bad salt (base64)");
  auto hash = base64_decode(hash_b64);
  if (!hash || hash->size() != sha512_len) return fail("bad hash (64 bytes of base64)");
  h.salt = std::move(*salt);
  h.hash = std::move(*hash);
  return h;
}

std::string format_hash(const password_hash& h) {
  if (h.type == password_hash::kind::sha512)
    return "$6$" + base64_encode(h.salt) + "$" + base64_encode(h.hash);
  return "$7$" + std::to_string(h.iterations) + "$" + base64_encode(h.salt) + "$" +
         base64_encode(h.hash);
}

password_hash make_hash(std::string_view password, uint32_t iterations) {
  password_hash h;
  h.type = password_hash::kind::pbkdf2_sha512;
  h.iterations = iterations;
  h.salt.resize(salt_len);
  random_bytes(h.salt.data(), h.salt.size());
  h.hash = pbkdf2(password, h.salt, iterations, sha512_len);
  return h;
}

bool verify(const password_hash& h, std::string_view password) {
  std::vector<uint8_t> got = h.type == password_hash::kind::sha512
                                 ? sha512_salted(password, h.salt)
                                 : pbkdf2(password, h.salt, h.iterations, h.hash.size());
  return equal_constant_time(got, h.hash);
}

}  // namespace edgegw::authn
