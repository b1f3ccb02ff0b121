// make_null_store: persistence disabled. Every write is accepted and forgotten, load()
// returns an empty state; it owns no thread and no file.
#include "gateway/store/durable_store.hpp"

namespace edgegw::store {

namespace {

class null_store final : public durable_store {
 public:
  result<loaded_state> load() override { return loaded_state{}; }
  void put_retained(message_ptr) override {}
  void erase_retained(const std::string&) override {}
  void put_session(const session_record&) override {}
  void erase_session(const std::string&) override {}
  void put_subscription(const subscription_record&) override {}
  void erase_subscription(const std::string&, const std::string&) override {}
  void put_message(const session_message_record&) override {}
  void update_message(const std::string&, uint64_t, message_state, uint16_t) override {}
  void erase_message(const std::string&, uint64_t) override {}
  void put_incoming_qos2(const std::string&, uint16_t) override {}
  void erase_incoming_qos2(const std::string&, uint16_t) override {}
  void put_ban(const ban_record&) override {}
  void erase_ban(const std::string&, const std::string&) override {}
  void flush() override {}
  void when_committed(std::function<void()> fn) override { fn(); }
  store_stats stats() const override { return {}; }
};

}  // namespace

std::unique_ptr<durable_store> make_null_store() {
  return std::make_unique<null_store>();
}

}  // namespace edgegw::store
