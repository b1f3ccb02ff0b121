// The write statements of sqlite_database, prepared once per connection and reused for
// every batch. Internal to sqlite_database.cpp (which prepares them) and sqlite_write.cpp
// (which runs them).
#pragma once
#include <sqlite3.h>

#include <utility>

#include "gateway/store/detail/sqlite_database.hpp"

namespace edgegw::store::detail {

// Prepared once per connection, reused for every batch.
struct sqlite_database::statements {
  statement begin, commit, rollback;
  statement put_retained, erase_retained;
  statement put_session, erase_session, erase_session_subscriptions, erase_session_messages,
      erase_session_qos2;
  statement put_subscription, erase_subscription;
  statement put_message, update_message, erase_message;
  statement put_qos2, erase_qos2;
  statement put_ban, erase_ban;

  int prepare(sqlite3* db) {
    const std::pair<statement*, const char*> all[] = {
        {&begin, "BEGIN IMMEDIATE"},
        {&commit, "COMMIT"},
        {&rollback, "ROLLBACK"},
        {&put_retained, "INSERT OR REPLACE INTO retained(topic, msg) VALUES(?1, ?2)"},
        {&erase_retained, "DELETE FROM retained WHERE topic=?1"},
        {&put_session,
         "INSERT OR REPLACE INTO sessions(client_id, username, protocol, mountpoint, "
         "expiry_interval, disconnected_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {&erase_session, "DELETE FROM sessions WHERE client_id=?1"},
        {&erase_session_subscriptions, "DELETE FROM subscriptions WHERE client_id=?1"},
        {&erase_session_messages, "DELETE FROM session_messages WHERE client_id=?1"},
        {&erase_session_qos2, "DELETE FROM incoming_qos2 WHERE client_id=?1"},
        {&put_subscription,
         "INSERT OR REPLACE INTO subscriptions(client_id, filter, qos, no_local, "
         "retain_as_published, retain_handling, subscription_id) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&erase_subscription, "DELETE FROM subscriptions WHERE client_id=?1 AND filter=?2"},
        {&put_message,
         "INSERT OR REPLACE INTO session_messages(client_id, seq, state, packet_id, qos, "
         "retain, sub_ids, msg) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
        {&update_message,
         "UPDATE session_messages SET state=?1, packet_id=?2 WHERE client_id=?3 AND seq=?4"},
        {&erase_message, "DELETE FROM session_messages WHERE client_id=?1 AND seq=?2"},
        {&put_qos2, "INSERT OR REPLACE INTO incoming_qos2(client_id, packet_id) VALUES(?1, ?2)"},
        {&erase_qos2, "DELETE FROM incoming_qos2 WHERE client_id=?1 AND packet_id=?2"},
        {&put_ban,
         "INSERT OR REPLACE INTO banned(kind, who, by, reason, at_s, until_s) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
        {&erase_ban, "DELETE FROM banned WHERE kind=?1 AND who=?2"},
    };
    for (const auto& [st, sql] : all) {
      if (int rc = st->prepare(db, sql, true); rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
  }
};

}  // namespace edgegw::store::detail
