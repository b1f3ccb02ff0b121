// The line-counting reader between our text and inih (see ini_reader.hpp).
#include "gateway/config/detail/ini_reader.hpp"

#include <ini.h>

#include <cstring>

#include "gateway/config/detail/value_parser.hpp"

namespace edgegw::config::detail {
namespace {

struct stream_state {
  std::string_view text;
  std::size_t pos = 0;
  int line = 0;
  int last_problem_line = 0;
  ini_events* events = nullptr;

  void problem(std::string message) {
    last_problem_line = line;
    events->on_problem(line, std::move(message));
  }
};

// inih's rule: the first of `chars`, unless an inline comment (';' after whitespace)
// comes first. npos when neither is found or the comment wins.
std::size_t find_before_comment(std::string_view s, std::string_view chars) {
  bool was_space = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (chars.find(s[i]) != std::string_view::npos) return i;
    if (was_space && s[i] == ';') return std::string_view::npos;
    was_space = s[i] == ' ' || s[i] == '\t' || s[i] == '\v' || s[i] == '\f' || s[i] == '\r';
  }
  return std::string_view::npos;
}

void on_header(stream_state& st, std::string_view line) {
  std::size_t close = find_before_comment(line.substr(1), "]");
  if (close == std::string_view::npos) {
    st.problem("section header is missing ']'");
    st.events->on_bad_section(st.line);
    return;
  }
  std::string_view name = trim(line.substr(1, close));
  std::string_view rest = trim(line.substr(close + 2));
  if (!rest.empty() && rest.front() != ';' && rest.front() != '#') {
    st.problem("unexpected text after ']': \"" + printable(rest, 40) + "\"");
  }
  st.events->on_section(name, st.line);
}

// fgets-like: fills `buf` with the next line for inih, or "" for a line handled here.
char* read_line(char* buf, int num, void* stream) {
  auto& st = *static_cast<stream_state*>(stream);
  if (st.pos >= st.text.size() || st.events->stopped() || num < 2) return nullptr;
  auto nl = st.text.find('\n', st.pos);
  std::string_view raw = st.text.substr(st.pos, nl == std::string_view::npos ? nl : nl - st.pos);
  st.pos = nl == std::string_view::npos ? st.text.size() : nl + 1;
  ++st.line;
  buf[0] = '\0';
  if (st.line == 1 && raw.starts_with("\xEF\xBB\xBF")) raw.remove_prefix(3);
  if (raw.find('\0') != std::string_view::npos) {
    st.problem("line contains a NUL byte");
    return buf;
  }
  std::string_view line = trim(raw);
  if (line.empty() || line.front() == ';' || line.front() == '#') return buf;
  if (line.front() == '[') {
    on_header(st, line);
    return buf;
  }
  if (find_before_comment(line, "=:") == std::string_view::npos) {
    st.problem("expected KEY = VALUE, got \"" + printable(line, 40) + "\"");
    return buf;
  }
  if (line.size() >= static_cast<std::size_t>(num)) {
    st.problem("line too long (" + std::to_string(line.size()) + " characters; at most " +
               std::to_string(num - 1) + ")");
    return buf;
  }
  std::memcpy(buf, line.data(), line.size());
  buf[line.size()] = '\0';
  return buf;
}

int on_pair(void* user, const char* /*section: ours is untruncated*/, const char* name,
            const char* value) {
  auto& st = *static_cast<stream_state*>(user);
  st.events->on_key(name, value, st.line);
  return 1;
}

}  // namespace

void parse_ini(std::string_view text, ini_events& events) {
  stream_state st;
  st.text = text;
  st.events = &events;
  int rc = ini_parse_stream(read_line, &st, on_pair, &st);
  // Every syntax error was caught above; anything else inih finds is still reported.
  if (rc > 0 && rc != st.last_problem_line && !events.stopped()) {
    events.on_problem(rc, "syntax error");
  } else if (rc < 0) {
    events.on_problem(0, "cannot parse (inih error " + std::to_string(rc) + ")");
  }
}

}  // namespace edgegw::config::detail
