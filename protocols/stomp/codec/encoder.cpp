// The STOMP encoder of codec.hpp: LF line ends, escaping per version, content-length so
// bodies may hold NUL bytes.
#include "protocols/stomp/codec/codec.hpp"

namespace edgegw::stomp {

void escape_into(std::string_view in, version v, std::string& out) {
  if (v == version::v10) {
    // 1.0 has no escaping: a line break cannot be carried, so it becomes a blank.
    for (char c : in) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    return;
  }
  if (in.find_first_of(std::string_view("\n:\\\r", 4)) == std::string_view::npos) {
    out.append(in);  // the common case: nothing to escape
    return;
  }
  for (char c : in) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case ':':
        out += "\\c";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\r':
        if (v == version::v12) {
          out += "\\r";
        } else {
          out.push_back(' ');  // 1.1 cannot carry a CR in a header
        }
        break;
      default:
        out.push_back(c);
    }
  }
}

void encode(const frame& f, version v, std::string& out, bool add_content_length) {
  const bool raw = unescaped_command(f.command);
  out += f.command;
  out.push_back('\n');
  bool has_length = false;
  for (const auto& h : f.headers) {
    if (h.name == "content-length") has_length = true;
    if (raw) {
      out += h.name;
      out.push_back(':');
      out += h.value;
    } else {
      escape_into(h.name, v, out);
      out.push_back(':');
      escape_into(h.value, v, out);
    }
    out.push_back('\n');
  }
  if (add_content_length && !has_length && (!f.body.empty() || f.command != "CONNECTED")) {
    out += "content-length:";
    out += std::to_string(f.body.size());
    out.push_back('\n');
  }
  out.push_back('\n');
  out += f.body;
  out.push_back('\0');
}

}  // namespace edgegw::stomp
