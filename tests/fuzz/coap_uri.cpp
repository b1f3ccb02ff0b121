// Fuzzes protocols/coap/mapping: the input is a list of '\n'-separated option values;
// the first byte says how many are Uri-Path segments, the rest are Uri-Query values.
// Checks: no crash, and every topic that maps is at most as long as its input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "gateway/api/topic.hpp"
#include "protocols/coap/mapping/uri_mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t n_path = data[0] % 16;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    items.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (n_path > items.size()) n_path = items.size();
  std::vector<std::string> path(items.begin(), items.begin() + static_cast<long>(n_path));
  std::vector<std::string> query(items.begin() + static_cast<long>(n_path), items.end());

  bool bad = false;
  auto r = edgegw::coap::map_path(path, &bad);
  if (r.topic.size() > text.size()) std::abort();
  if (!r.topic.empty()) {
    (void)edgegw::validate_topic_name(r.topic);
    (void)edgegw::validate_topic_filter(r.topic);
  }
  edgegw::coap::request_params p;
  std::string why;
  bool ok = edgegw::coap::parse_query(query, p, &why);
  if (!ok && why.empty()) std::abort();
  if (p.qos && *p.qos > 2) std::abort();
  for (const auto& item : items) {
    auto d = edgegw::coap::percent_decode(item);
    if (d && d->size() > item.size()) std::abort();
  }
  edgegw::message m;
  m.user_properties.push_back({std::string(edgegw::coap::content_format_property), text});
  (void)edgegw::coap::content_format_of(m);
  return 0;
}
