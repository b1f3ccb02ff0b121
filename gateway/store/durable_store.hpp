// Durable broker state: retained messages and persistent sessions (subscriptions, queued
// and inflight messages, inbound QoS 2 ids). The core calls the put/erase functions from
// any thread; they only enqueue. One storage thread applies the queue to SQLite (WAL) in
// batches, one transaction per batch (group commit), so no I/O thread ever waits for disk.
// load() runs once at start-up, before any listener opens.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/api/broker.hpp"
#include "gateway/api/result.hpp"

namespace edgegw::store {

enum class sync_mode : uint8_t {
  off,     // SQLite synchronous=OFF: fastest; an OS crash may lose recent batches
  normal,  // synchronous=NORMAL (WAL): survives kill -9 once committed; power loss may
           // lose the last batches
  full,    // synchronous=FULL: every committed batch survives power loss
};

struct store_options {
  std::string path;  // the SQLite file, e.g. <data_dir>/broker.db
  sync_mode sync = sync_mode::normal;
  uint32_t flush_interval_ms = 50;  // longest an enqueued change waits for its commit
  std::size_t max_batch = 4096;     // operations per transaction at most
};

struct session_record {
  std::string client_id;
  std::string username;
  std::string protocol;
  std::string mountpoint;
  uint32_t expiry_interval = 0;    // seconds
  int64_t disconnected_at_ms = 0;  // unix ms; 0 while connected
};

struct subscription_record {
  std::string client_id;
  std::string filter;  // as stored by the core (mounted, may be $share/...)
  subscription_options options;
};

enum class message_state : uint8_t {
  queued = 0,    // not sent yet
  sent = 1,      // PUBLISH sent, waiting for PUBACK/PUBREC
  released = 2,  // QoS 2: PUBREC received, PUBREL sent, waiting for PUBCOMP
};

struct session_message_record {
  std::string client_id;
  uint64_t seq = 0;  // per-session order, assigned by the core
  message_state state = message_state::queued;
  uint16_t packet_id = 0;  // 0 while queued
  uint8_t qos = 0;         // effective QoS for this session
  bool retain = false;     // retain flag to deliver
  std::vector<uint32_t> subscription_ids;
  message_ptr msg;
};

struct incoming_qos2_record {
  std::string client_id;
  uint16_t packet_id = 0;
};

// One entry of the ban list (core::ban_list); kind is "clientid", "username" or "peerhost".
struct ban_record {
  std::string kind;
  std::string who;
  std::string by;
  std::string reason;
  int64_t at_s = 0;     // unix seconds
  int64_t until_s = 0;  // unix seconds; 0 = forever
};

struct loaded_state {
  std::vector<message_ptr> retained;
  std::vector<session_record> sessions;
  std::vector<subscription_record> subscriptions;
  std::vector<session_message_record> messages;  // ordered by client_id, seq
  std::vector<incoming_qos2_record> incoming_qos2;
  std::vector<ban_record> bans;
  std::size_t skipped = 0;  // rows left out because they failed to decode (each logged)
};

struct store_stats {
  uint64_t batches = 0;
  uint64_t operations = 0;
  uint64_t errors = 0;
  std::size_t pending = 0;
};

class durable_store {
 public:
  virtual ~durable_store() = default;

  // Blocking; at start-up only. A corrupt or unreadable file is an error naming the file
  // and what to do (move it aside), never a crash.
  virtual result<loaded_state> load() = 0;

  virtual void put_retained(message_ptr msg) = 0;  // replaces the topic's message
  virtual void erase_retained(const std::string& topic) = 0;

  virtual void put_session(const session_record& s) = 0;         // insert or replace
  virtual void erase_session(const std::string& client_id) = 0;  // and all it owns

  virtual void put_subscription(const subscription_record& s) = 0;
  virtual void erase_subscription(const std::string& client_id, const std::string& filter) = 0;

  virtual void put_message(const session_message_record& m) = 0;
  virtual void update_message(const std::string& client_id, uint64_t seq, message_state state,
                              uint16_t packet_id) = 0;
  virtual void erase_message(const std::string& client_id, uint64_t seq) = 0;

  virtual void put_incoming_qos2(const std::string& client_id, uint16_t packet_id) = 0;
  virtual void erase_incoming_qos2(const std::string& client_id, uint16_t packet_id) = 0;

  // The ban list. No-ops by default, for stores that keep no bans (test fakes); the SQLite
  // store keeps them in its own table.
  virtual void put_ban(const ban_record& b) { (void)b; }  // insert or replace (kind, who)
  virtual void erase_ban(const std::string& kind, const std::string& who) {
    (void)kind;
    (void)who;
  }

  // Blocking: returns once everything enqueued so far is committed (shutdown, tests).
  virtual void flush() = 0;
  // Non-blocking: `fn` runs once everything enqueued before this call is committed (or
  // reported lost in the log), on the storage thread or, when nothing is pending, right
  // here. Asks for a commit now rather than after flush_interval, so the broker can hold a
  // publisher's acknowledgement until its message is on disk without adding that delay.
  virtual void when_committed(std::function<void()> fn) = 0;
  virtual store_stats stats() const = 0;
};

// The SQLite implementation; starts its storage thread. Errors opening the file are
// reported by load().
std::unique_ptr<durable_store> make_sqlite_store(const store_options& options);

// A store that keeps nothing (persistence disabled, or unit tests of the core).
std::unique_ptr<durable_store> make_null_store();

// Message (de)serialisation used for stored blobs and, later, the bridge spool. Pure;
// decode never throws and rejects truncated or inconsistent input.
std::string encode_message(const message& m);
result<message> decode_message(std::string_view bytes);

}  // namespace edgegw::store
