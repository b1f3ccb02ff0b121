// Renders a configuration as commented ini text. render_defaults() is the source of
// etc/edgegw.ini, and loading its output gives back the same values (a unit test).
#include <charconv>
#include <stdexcept>

#include "gateway/config/config.hpp"
#include "gateway/config/detail/builder.hpp"
#include "gateway/config/detail/value_parser.hpp"

namespace edgegw::config {
namespace {

constexpr std::string_view title = "; edgegw configuration.\n;\n";

constexpr std::string_view defaults_note =
    "; Every key is listed at its built-in default: edgegw without -c behaves exactly as\n"
    "; with this file. Any key can be overridden on the command line with\n"
    "; --set SECTION.KEY=VALUE, e.g. --set listener.tcp.default.bind=127.0.0.1:1883.\n"
    ";\n";

constexpr std::string_view syntax =
    "; Syntax: [section] headers and KEY = VALUE lines; unknown sections and keys are\n"
    "; errors. Lines starting with ; or # are comments, and \" ;\" (a space, then ;) starts\n"
    "; a comment after a value. Double quotes around a value keep its outer spaces.\n"
    "; A KEY = VALUE line holds at most 199 characters.\n"
    ";   booleans   true/false, on/off, yes/no\n"
    ";   durations  500ms, 15s, 1m, 2h; a plain number is in the unit the key names\n"
    ";   sizes      bytes, or KB, MB, GB (1024-based)\n"
    ";   addresses  HOST:PORT, [IPv6]:PORT, or :PORT for all interfaces; port 0 picks a\n"
    ";              free port\n"
    ";   lists      comma-separated\n"
    "; Text values may use ${node.name}, ${serial} (the board's serial number) and\n"
    "; ${SECTION.KEY} of other text keys; $${ is a literal ${.\n";

constexpr std::string_view rule =
    "; ----------------------------------------------------------------------------\n";

// The allowed values in a few words; booleans, text and addresses are explained once
// in the file header.
std::string allowed(const key_spec& k) {
  using std::chrono::milliseconds;
  switch (k.type) {
    case value_type::integer:
      return "Range: " + std::to_string(k.min) + ".." + std::to_string(k.max) + ".";
    case value_type::number: {
      char lo[32];
      char hi[32];
      auto l = std::to_chars(lo, lo + sizeof lo, k.min_number);
      auto h = std::to_chars(hi, hi + sizeof hi, k.max_number);
      return "Range: " + std::string(lo, l.ptr) + ".." + std::string(hi, h.ptr) + ".";
    }
    case value_type::duration: {
      std::string unit = detail::format_duration(k.unit);
      return "Range: " + detail::format_duration(milliseconds{k.min}) + ".." +
             detail::format_duration(milliseconds{k.max}) + (k.infinity ? " or infinity" : "") +
             "; a plain number is in " +
             (unit == "1s"    ? "seconds"
              : unit == "1ms" ? "milliseconds"
                              : unit) +
             ".";
    }
    case value_type::size:
      return "Range: " + detail::format_size(static_cast<std::uint64_t>(k.min)) + ".." +
             detail::format_size(static_cast<std::uint64_t>(k.max)) + ".";
    case value_type::enumeration: {
      std::string out = "One of: ";
      for (char c : k.choices) out += c == '|' ? std::string(", ") : std::string(1, c);
      return out + ".";
    }
    default:
      return {};
  }
}

void render_key(std::string& out, const key_spec& k, const std::string& value_text,
                bool commented) {
  out += "\n; " + std::string(k.doc) + "\n";
  if (auto a = allowed(k); !a.empty()) out += "; " + a + "\n";
  out += commented ? "; " : "";
  out += std::string(k.key) + " =";
  if (!value_text.empty()) out += " " + value_text;
  out += "\n";
}

// "predefined.*" -> "predefined.ID"
std::string display_key(std::string_view key) {
  std::string out(key);
  if (auto star = out.find('*'); star != std::string::npos) out.replace(star, 1, "ID");
  return out;
}

// Every section and key of `v`, in schema order.
std::string render_body(const values& v) {
  std::string out;
  for (const auto& s : sections()) {
    std::string_view pattern = s.pattern;
    bool instanced = pattern.ends_with(".*");
    std::string base(instanced ? pattern.substr(0, pattern.size() - 2) : pattern);
    std::vector<std::string> names;
    if (!instanced) {
      names.push_back(base);
    } else {
      for (const auto& n : v.instances(base)) names.push_back(base + "." + n);
    }
    // A kind with no instance is shown commented out, as a template.
    bool commented = names.empty();
    if (commented) names.push_back(base + ".NAME");
    for (const auto& name : names) {
      out += "\n" + std::string(rule) + "; " + std::string(s.doc) + "\n";
      out += std::string(commented ? "; " : "") + "[" + name + "]\n";
      for (const auto& k : keys()) {
        if (k.section != pattern) continue;
        if (k.dynamic()) {
          std::string prefix = name + "." + std::string(k.key.substr(0, k.key.find('*')));
          out += "\n; " + display_key(k.key) + " = ...: " + std::string(k.doc) + "\n";
          for (const auto& full : v.keys_with_prefix(prefix)) {
            out += full.substr(name.size() + 1) + " = " +
                   detail::format_value(k, v.get_value(full)) + "\n";
          }
          continue;
        }
        std::string full = name + "." + std::string(k.key);
        std::string text = commented ? detail::format_value(k, detail::default_value(k))
                                     : detail::format_value(k, v.get_value(full));
        render_key(out, k, text, commented);
      }
    }
  }
  return out;
}

}  // namespace

std::string values::render() const {
  return std::string(title) + std::string(syntax) + render_body(*this);
}

std::string render_defaults() {
  auto r = load_text("", "(defaults)");
  if (!r.config) throw std::logic_error("config schema: " + r.problems.front().str());
  return std::string(title) + std::string(defaults_note) + std::string(syntax) +
         render_body(*r.config);
}

}  // namespace edgegw::config
