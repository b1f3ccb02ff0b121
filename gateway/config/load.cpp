// Entry points: load (file + overrides) and load_text (text + overrides).
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "gateway/config/config.hpp"
#include "gateway/config/detail/builder.hpp"

namespace edgegw::config {

std::string problem::str() const {
  if (line <= 0) return where + ": " + message;
  return where + ":" + std::to_string(line) + ": " + message;
}

std::string origin::str() const {
  if (where.empty()) return "default";
  return where + ":" + std::to_string(line);
}

namespace {

load_result run(const std::string_view* text, std::string_view name,
                std::span<const std::string> overrides,
                const std::map<std::string, std::string>& variables) {
  detail::builder b(variables);
  b.add_defaults();
  if (text) b.add_ini(*text, name);
  b.add_overrides(overrides);
  b.substitute();
  return b.finish();
}

}  // namespace

load_result load_text(std::string_view text, std::string_view name,
                      std::span<const std::string> overrides,
                      const std::map<std::string, std::string>& variables) {
  return run(&text, name, overrides, variables);
}

load_result load(const std::optional<std::filesystem::path>& file,
                 std::span<const std::string> overrides,
                 const std::map<std::string, std::string>& variables) {
  if (!file) return run(nullptr, {}, overrides, variables);
  std::string name = file->string();
  auto fail = [&](std::string message) {
    load_result r;
    r.problems.push_back({name, 0, std::move(message)});
    return r;
  };
  std::error_code ec;
  auto status = std::filesystem::status(*file, ec);
  if (ec) return fail("cannot read: " + ec.message());
  if (std::filesystem::is_directory(status)) return fail("cannot read: is a directory");
  std::ifstream in(*file, std::ios::binary);
  if (!in) return fail(std::string("cannot read: ") + std::strerror(errno));
  std::string text;
  // Read at most one byte past the limit: enough to tell the file is too large.
  text.resize(max_file_size + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return fail("cannot read: I/O error");
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_file_size) {
    return fail("file too large (more than " + std::to_string(max_file_size) + " bytes)");
  }
  std::string_view view = text;
  return run(&view, name, overrides, variables);
}

}  // namespace edgegw::config
