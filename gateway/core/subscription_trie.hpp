// The topic trie: subscription filters by level, so a PUBLISH finds its subscribers by
// walking its topic's levels once (exact child, '+' child, '#' child) instead of testing
// every filter. Shared subscriptions ($share/<group>/<filter>, $queue/<filter>) hang off the
// node of their inner filter as groups of members.
// Owner: shared by all threads: the broker guards it with a shared_mutex (many publishers
// read it at once; subscribe/unsubscribe write). This class itself does no locking.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/broker.hpp"

namespace edgegw::core {

class core_session;

struct subscriber {
  std::shared_ptr<core_session> session;
  subscription_options options;
};

struct shared_group {
  std::string name;
  std::vector<subscriber> members;
  // Round-robin cursor; atomic because publishers pick members under a shared lock.
  std::unique_ptr<std::atomic<std::size_t>> next = std::make_unique<std::atomic<std::size_t>>(0);
};

class subscription_trie {
 public:
  // Insert or replace the subscription of `s` to `filter` (already validated; for shared
  // subscriptions `group` is non-empty and `filter` is the inner filter). Returns true when
  // it is new (not a replacement).
  bool insert(std::string_view filter, const std::string& group, const subscriber& s);
  // Returns true when something was removed.
  bool erase(std::string_view filter, const std::string& group, const core_session* s);

  // Calls plain(subscriber&) for every non-shared match and group(shared_group&) for every
  // shared group whose filter matches `topic`.
  template <class Plain, class Group>
  void match(std::string_view topic, Plain&& plain, Group&& group);

  std::size_t size() const noexcept { return count_; }

 private:
  struct node {
    std::map<std::string, std::unique_ptr<node>, std::less<>> children;
    std::vector<subscriber> subs;
    std::vector<shared_group> groups;
    bool empty() const { return children.empty() && subs.empty() && groups.empty(); }
  };

  template <class Plain, class Group>
  static void visit(node& n, std::string_view rest, bool at_end, Plain& plain, Group& group);
  template <class Plain, class Group>
  static void emit(node& n, Plain& plain, Group& group);
  static bool erase_in(node& n, std::string_view rest, const std::string& group,
                       const core_session* s);

  node root_;
  std::size_t count_ = 0;
};

template <class Plain, class Group>
void subscription_trie::emit(node& n, Plain& plain, Group& group) {
  for (auto& s : n.subs) plain(s);
  for (auto& g : n.groups) group(g);
}

// `rest` is what is left of the topic after this node's level; `at_end` when the topic has
// no further level.
template <class Plain, class Group>
void subscription_trie::visit(node& n, std::string_view rest, bool at_end, Plain& plain,
                              Group& group) {
  // '#' matches this level and everything below (including the parent, "a/#" ~ "a").
  if (auto it = n.children.find(std::string_view("#")); it != n.children.end())
    emit(*it->second, plain, group);
  if (at_end) {
    emit(n, plain, group);
    return;
  }
  std::size_t slash = rest.find('/');
  std::string_view level = rest.substr(0, slash);
  std::string_view tail =
      slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  bool last = slash == std::string_view::npos;
  if (auto it = n.children.find(level); it != n.children.end())
    visit(*it->second, tail, last, plain, group);
  if (auto it = n.children.find(std::string_view("+")); it != n.children.end())
    visit(*it->second, tail, last, plain, group);
}

template <class Plain, class Group>
void subscription_trie::match(std::string_view topic, Plain&& plain, Group&& group) {
  std::size_t slash = topic.find('/');
  std::string_view level = topic.substr(0, slash);
  std::string_view tail =
      slash == std::string_view::npos ? std::string_view{} : topic.substr(slash + 1);
  bool last = slash == std::string_view::npos;
  // [MQTT-4.7.2-1]: no leading wildcard matches a topic starting with '$'.
  bool dollar = !topic.empty() && topic[0] == '$';
  if (!dollar) {
    if (auto it = root_.children.find(std::string_view("#")); it != root_.children.end())
      emit(*it->second, plain, group);
    if (auto it = root_.children.find(std::string_view("+")); it != root_.children.end())
      visit(*it->second, tail, last, plain, group);
  }
  if (auto it = root_.children.find(level); it != root_.children.end())
    visit(*it->second, tail, last, plain, group);
}

}  // namespace edgegw::core
