// Applying a batch of ops to the store's SQLite file: one transaction, statements prepared
// once, message blobs encoded here on the storage thread. On any failure the transaction
// is rolled back whole, and after an I/O error the connection is reopened on next use.
#include <sqlite3.h>

#include "gateway/store/detail/sqlite_database.hpp"
#include "gateway/store/detail/sqlite_statements.hpp"
#include "gateway/store/message_codec.hpp"

namespace edgegw::store::detail {

int sqlite_database::run(statement& st) {
  int rc = st.step();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
    rc = SQLITE_OK;
  } else {
    last_message_ = conn_.last_error();
  }
  st.reset();
  return rc;
}

int sqlite_database::apply(op& o) {
  statements& s = *stmts_;
  struct visitor {
    sqlite_database& db;
    statements& s;

    int operator()(put_retained_op& x) {
      if (x.blob.empty()) x.blob = encode_message(*x.msg);
      s.put_retained.bind_text(1, x.msg->topic);
      s.put_retained.bind_blob(2, x.blob);
      return db.run(s.put_retained);
    }
    int operator()(erase_retained_op& x) {
      s.erase_retained.bind_text(1, x.topic);
      return db.run(s.erase_retained);
    }
    int operator()(put_session_op& x) {
      auto& st = s.put_session;
      st.bind_text(1, x.rec.client_id);
      st.bind_text(2, x.rec.username);
      st.bind_text(3, x.rec.protocol);
      st.bind_text(4, x.rec.mountpoint);
      st.bind_int(5, x.rec.expiry_interval);
      st.bind_int(6, x.rec.disconnected_at_ms);
      return db.run(st);
    }
    int operator()(erase_session_op& x) {
      for (statement* st : {&s.erase_session, &s.erase_session_subscriptions,
                            &s.erase_session_messages, &s.erase_session_qos2}) {
        st->bind_text(1, x.client_id);
        if (int rc = db.run(*st); rc != SQLITE_OK) return rc;
      }
      return SQLITE_OK;
    }
    int operator()(put_subscription_op& x) {
      auto& st = s.put_subscription;
      const auto& o = x.rec.options;
      st.bind_text(1, x.rec.client_id);
      st.bind_text(2, x.rec.filter);
      st.bind_int(3, o.qos);
      st.bind_int(4, o.no_local ? 1 : 0);
      st.bind_int(5, o.retain_as_published ? 1 : 0);
      st.bind_int(6, o.retain_handling);
      st.bind_int(7, o.subscription_id);
      return db.run(st);
    }
    int operator()(erase_subscription_op& x) {
      s.erase_subscription.bind_text(1, x.client_id);
      s.erase_subscription.bind_text(2, x.filter);
      return db.run(s.erase_subscription);
    }
    int operator()(put_message_op& x) {
      if (x.blob.empty()) {
        x.blob = encode_message(*x.rec.msg);
        x.sub_ids = encode_subscription_ids(x.rec.subscription_ids);
      }
      auto& st = s.put_message;
      st.bind_text(1, x.rec.client_id);
      st.bind_int(2, static_cast<int64_t>(x.rec.seq));
      st.bind_int(3, static_cast<int64_t>(x.rec.state));
      st.bind_int(4, x.rec.packet_id);
      st.bind_int(5, x.rec.qos);
      st.bind_int(6, x.rec.retain ? 1 : 0);
      st.bind_blob(7, x.sub_ids);
      st.bind_blob(8, x.blob);
      return db.run(st);
    }
    int operator()(update_message_op& x) {
      auto& st = s.update_message;
      st.bind_int(1, static_cast<int64_t>(x.state));
      st.bind_int(2, x.packet_id);
      st.bind_text(3, x.client_id);
      st.bind_int(4, static_cast<int64_t>(x.seq));
      return db.run(st);
    }
    int operator()(erase_message_op& x) {
      s.erase_message.bind_text(1, x.client_id);
      s.erase_message.bind_int(2, static_cast<int64_t>(x.seq));
      return db.run(s.erase_message);
    }
    int operator()(put_qos2_op& x) {
      s.put_qos2.bind_text(1, x.client_id);
      s.put_qos2.bind_int(2, x.packet_id);
      return db.run(s.put_qos2);
    }
    int operator()(erase_qos2_op& x) {
      s.erase_qos2.bind_text(1, x.client_id);
      s.erase_qos2.bind_int(2, x.packet_id);
      return db.run(s.erase_qos2);
    }
    int operator()(put_ban_op& x) {
      auto& st = s.put_ban;
      st.bind_text(1, x.rec.kind);
      st.bind_text(2, x.rec.who);
      st.bind_text(3, x.rec.by);
      st.bind_text(4, x.rec.reason);
      st.bind_int(5, x.rec.at_s);
      st.bind_int(6, x.rec.until_s);
      return db.run(st);
    }
    int operator()(erase_ban_op& x) {
      s.erase_ban.bind_text(1, x.kind);
      s.erase_ban.bind_text(2, x.who);
      return db.run(s.erase_ban);
    }
  };
  return std::visit(visitor{*this, s}, o);
}

std::optional<write_failure> sqlite_database::abort(int rc) {
  write_failure f{rc, last_message_.empty() ? sqlite3_errstr(rc) : last_message_};
  last_message_.clear();
  // SQLite may have rolled back already (disk full, I/O error); ROLLBACK then fails
  // harmlessly.
  if (conn_.in_transaction()) run(stmts_->rollback);
  // After an I/O error the connection's view of the file is suspect: reopen next time.
  const int primary = rc & 0xFF;
  if (primary == SQLITE_IOERR || primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB ||
      primary == SQLITE_CANTOPEN) {
    close();
  }
  return f;
}

std::optional<write_failure> sqlite_database::write(std::vector<op>& ops) {
  if (auto ec = open()) return write_failure{SQLITE_CANTOPEN, ec.message()};
  last_message_.clear();
  if (int rc = run(stmts_->begin); rc != SQLITE_OK) return abort(rc);
  for (op& o : ops) {
    if (int rc = apply(o); rc != SQLITE_OK) return abort(rc);
  }
  if (int rc = run(stmts_->commit); rc != SQLITE_OK) return abort(rc);
  return std::nullopt;
}

}  // namespace edgegw::store::detail
