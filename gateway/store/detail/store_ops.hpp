// The queued write operations of the SQLite store and the batch coalescer. Callers of
// durable_store only append ops; the storage thread takes a batch, coalesces it (drops
// ops whose effect a later op of the same batch overwrites), and applies the rest in
// order in one transaction. Message blobs are encoded on the storage thread, lazily, so an
// op that is coalesced away costs no encoding and no disk write.
#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "gateway/store/durable_store.hpp"

namespace edgegw::store::detail {

struct put_retained_op {
  message_ptr msg;
  std::string blob;  // encode_message(*msg), filled on first use
};
struct erase_retained_op {
  std::string topic;
};
struct put_session_op {
  session_record rec;
};
struct erase_session_op {
  std::string client_id;
};
struct put_subscription_op {
  subscription_record rec;
};
struct erase_subscription_op {
  std::string client_id;
  std::string filter;
};
struct put_message_op {
  session_message_record rec;
  std::string blob;     // encode_message(*rec.msg), filled on first use
  std::string sub_ids;  // encode_subscription_ids(rec.subscription_ids)
};
struct update_message_op {
  std::string client_id;
  uint64_t seq = 0;
  message_state state = message_state::queued;
  uint16_t packet_id = 0;
};
struct erase_message_op {
  std::string client_id;
  uint64_t seq = 0;
};
struct put_qos2_op {
  std::string client_id;
  uint16_t packet_id = 0;
};
struct erase_qos2_op {
  std::string client_id;
  uint16_t packet_id = 0;
};

struct put_ban_op {
  ban_record rec;
};
struct erase_ban_op {
  std::string kind;
  std::string who;
};

using op =
    std::variant<put_retained_op, erase_retained_op, put_session_op, erase_session_op,
                 put_subscription_op, erase_subscription_op, put_message_op, update_message_op,
                 erase_message_op, put_qos2_op, erase_qos2_op, put_ban_op, erase_ban_op>;

// Removes, keeping the order of the rest, every op whose effect on the database is
// overwritten by a later op of `ops`:
//  - a put or erase of a record drops earlier puts, updates and erases of that record;
//  - an update following a put of the same message is folded into the put; an update
//    after an erase of the record (or of its session) is dropped; of consecutive updates
//    only the last stays;
//  - erase_session(c) drops every earlier op of client c (its session, subscriptions,
//    messages, inbound QoS 2 ids, and earlier erase_session(c)).
// The erase itself always stays: the record may exist on disk from an earlier batch.
// Returns how many ops were removed.
std::size_t coalesce(std::vector<op>& ops);

// Subscription identifiers of a queued message as a blob: varints, in order.
std::string encode_subscription_ids(const std::vector<uint32_t>& ids);
bool decode_subscription_ids(std::string_view blob, std::vector<uint32_t>& ids);

}  // namespace edgegw::store::detail
