// Retained messages by topic. A subscribe with a wildcard scans all of them; gateways keep
// thousands, not millions, so a sorted map is enough and keeps memory small.
// Owner: any thread; guarded by its own mutex (never held while another lock is taken).
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/api/message.hpp"

namespace edgegw::core {

class retained_store {
 public:
  // Store or replace; an empty payload deletes [MQTT-3.3.1-6]. Returns false when the
  // store is full (max_messages reached for a new topic).
  bool set(const message_ptr& msg, std::size_t max_messages);
  bool erase(const std::string& topic);
  message_ptr get(std::string_view topic) const;  // null when none
  std::vector<message_ptr> match(std::string_view filter) const;
  std::vector<message_ptr> all() const;
  std::size_t size() const;
  void load(std::vector<message_ptr> msgs);

 private:
  mutable std::mutex mu_;
  std::map<std::string, message_ptr, std::less<>> by_topic_;
};

}  // namespace edgegw::core
