// See subscription_trie.hpp.
#include "subscription_trie.hpp"

#include <algorithm>

namespace edgegw::core {

bool subscription_trie::insert(std::string_view filter, const std::string& group,
                               const subscriber& s) {
  node* n = &root_;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = filter.find('/', start);
    std::string_view level =
        filter.substr(start, slash == std::string_view::npos ? slash : slash - start);
    auto it = n->children.find(level);
    if (it == n->children.end())
      it = n->children.emplace(std::string(level), std::make_unique<node>()).first;
    n = it->second.get();
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  auto replace_in = [&](std::vector<subscriber>& v) {
    for (auto& e : v) {
      if (e.session == s.session) {
        e.options = s.options;
        return false;
      }
    }
    v.push_back(s);
    return true;
  };
  bool added;
  if (group.empty()) {
    added = replace_in(n->subs);
  } else {
    auto g = std::find_if(n->groups.begin(), n->groups.end(),
                          [&](const shared_group& x) { return x.name == group; });
    if (g == n->groups.end()) {
      n->groups.push_back(shared_group{group, {}});
      g = n->groups.end() - 1;
    }
    added = replace_in(g->members);
  }
  if (added) ++count_;
  return added;
}

bool subscription_trie::erase_in(node& n, std::string_view rest, const std::string& group,
                                 const core_session* s) {
  std::size_t slash = rest.find('/');
  std::string_view level = rest.substr(0, slash);
  auto it = n.children.find(level);
  if (it == n.children.end()) return false;
  node& child = *it->second;
  bool removed = false;
  if (slash != std::string_view::npos) {
    removed = erase_in(child, rest.substr(slash + 1), group, s);
  } else {
    auto drop = [&](std::vector<subscriber>& v) {
      auto e = std::find_if(v.begin(), v.end(),
                            [&](const subscriber& x) { return x.session.get() == s; });
      if (e == v.end()) return false;
      v.erase(e);
      return true;
    };
    if (group.empty()) {
      removed = drop(child.subs);
    } else {
      auto g = std::find_if(child.groups.begin(), child.groups.end(),
                            [&](const shared_group& x) { return x.name == group; });
      if (g != child.groups.end()) {
        removed = drop(g->members);
        if (g->members.empty()) child.groups.erase(g);
      }
    }
  }
  if (child.empty()) n.children.erase(it);  // prune so unsubscribed filters cost nothing
  return removed;
}

bool subscription_trie::erase(std::string_view filter, const std::string& group,
                              const core_session* s) {
  bool removed = erase_in(root_, filter, group, s);
  if (removed) --count_;
  return removed;
}

}  // namespace edgegw::core
