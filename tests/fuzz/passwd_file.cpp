// Fuzz target for the password-file parser (gateway/authn/password_file.hpp): arbitrary
// bytes as a file. Besides not crashing: a usable file renders to text that parses back to
// the same file, and hashes with a cheap iteration count verify without fault.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/authn/password_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace edgegw::authn;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_password_file(text);
  if (!parsed.problems.empty()) return 0;
  const std::string rendered = render_password_file(parsed.file);
  auto again = parse_password_file(rendered);
  if (!again.problems.empty() || render_password_file(again.file) != rendered) std::abort();
  for (const auto& [user, e] : parsed.file.users) {
    if (e.hash.type == password_hash::kind::pbkdf2_sha512 && e.hash.iterations > 16) continue;
    (void)verify(e.hash, user);
  }
  return 0;
}
