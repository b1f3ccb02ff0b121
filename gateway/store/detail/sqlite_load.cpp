// Reading the whole store back at start-up. A row that fails to decode (a damaged blob,
// an out-of-range column) is logged, counted and left out, so one bad record costs that
// record only; an error from SQLite itself (damaged pages) fails the whole load instead.
#include <sqlite3.h>
#include <spdlog/spdlog.h>

#include "gateway/store/detail/sqlite_database.hpp"
#include "gateway/store/message_codec.hpp"

namespace edgegw::store::detail {

namespace {

constexpr std::size_t max_skip_lines = 20;  // then only the total

bool in_range(int64_t v, int64_t lo, int64_t hi) {
  return v >= lo && v <= hi;
}

class skip_counter {
 public:
  skip_counter(spdlog::logger& log, const std::string& path) : log_(log), path_(path) {}
  void operator()(const char* table, std::string_view key, const std::string& reason) {
    if (count_++ < max_skip_lines) {
      log_.warn("load_skipped path={} table={} key={} reason=\"{}\"", path_, table, key, reason);
    }
  }
  std::size_t count() const { return count_; }

 private:
  spdlog::logger& log_;
  const std::string& path_;
  std::size_t count_ = 0;
};

}  // namespace

result<loaded_state> sqlite_database::read_all() {
  if (auto ec = open()) return ec;
  loaded_state out;
  skip_counter skip(*log_, path_);

  // Runs `sql`, calling `row` for each result row; SQLITE_OK or the error.
  auto each = [&](const char* sql, auto&& row) {
    statement st;
    int rc = st.prepare(conn_.get(), sql, false);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
      rc = st.step();
      if (rc == SQLITE_ROW) row(st);
    }
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  };

  int rc = each("SELECT topic, msg FROM retained ORDER BY topic", [&](statement& st) {
    const auto topic = st.column_text(0);
    auto m = decode_message(st.column_blob(1));
    if (!m) return skip("retained", topic, m.error().message());
    if (m.value().topic != topic) return skip("retained", topic, "topic differs from its key");
    out.retained.push_back(make_message(std::move(m).value()));
  });
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read retained messages");

  rc = each(
      "SELECT client_id, username, protocol, mountpoint, expiry_interval, disconnected_at_ms "
      "FROM sessions ORDER BY client_id",
      [&](statement& st) {
        session_record s;
        s.client_id = st.column_text(0);
        s.username = st.column_text(1);
        s.protocol = st.column_text(2);
        s.mountpoint = st.column_text(3);
        const int64_t expiry = st.column_int(4);
        if (!in_range(expiry, 0, UINT32_MAX)) {
          return skip("sessions", s.client_id, "expiry_interval out of range");
        }
        s.expiry_interval = static_cast<uint32_t>(expiry);
        s.disconnected_at_ms = st.column_int(5);
        out.sessions.push_back(std::move(s));
      });
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read sessions");

  rc = each(
      "SELECT client_id, filter, qos, no_local, retain_as_published, retain_handling, "
      "subscription_id FROM subscriptions ORDER BY client_id, filter",
      [&](statement& st) {
        subscription_record s;
        s.client_id = st.column_text(0);
        s.filter = st.column_text(1);
        const int64_t qos = st.column_int(2), nl = st.column_int(3), rap = st.column_int(4),
                      rh = st.column_int(5), id = st.column_int(6);
        if (!in_range(qos, 0, 2) || !in_range(nl, 0, 1) || !in_range(rap, 0, 1) ||
            !in_range(rh, 0, 2) || !in_range(id, 0, UINT32_MAX)) {
          return skip("subscriptions", s.client_id + " " + s.filter, "option out of range");
        }
        s.options.qos = static_cast<uint8_t>(qos);
        s.options.no_local = nl == 1;
        s.options.retain_as_published = rap == 1;
        s.options.retain_handling = static_cast<uint8_t>(rh);
        s.options.subscription_id = static_cast<uint32_t>(id);
        out.subscriptions.push_back(std::move(s));
      });
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read subscriptions");

  rc = each(
      "SELECT client_id, seq, state, packet_id, qos, retain, sub_ids, msg "
      "FROM session_messages ORDER BY client_id, seq",
      [&](statement& st) {
        session_message_record r;
        r.client_id = st.column_text(0);
        r.seq = static_cast<uint64_t>(st.column_int(1));
        const auto key = r.client_id + " " + std::to_string(r.seq);
        const int64_t state = st.column_int(2), pid = st.column_int(3), qos = st.column_int(4),
                      retain = st.column_int(5);
        if (!in_range(state, 0, 2) || !in_range(pid, 0, UINT16_MAX) || !in_range(qos, 0, 2) ||
            !in_range(retain, 0, 1)) {
          return skip("session_messages", key, "column out of range");
        }
        if (!decode_subscription_ids(st.column_blob(6), r.subscription_ids)) {
          return skip("session_messages", key, "bad subscription ids");
        }
        auto m = decode_message(st.column_blob(7));
        if (!m) return skip("session_messages", key, m.error().message());
        r.state = static_cast<message_state>(state);
        r.packet_id = static_cast<uint16_t>(pid);
        r.qos = static_cast<uint8_t>(qos);
        r.retain = retain == 1;
        r.msg = make_message(std::move(m).value());
        out.messages.push_back(std::move(r));
      });
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read session messages");

  rc = each("SELECT client_id, packet_id FROM incoming_qos2 ORDER BY client_id, packet_id",
            [&](statement& st) {
              incoming_qos2_record q;
              q.client_id = st.column_text(0);
              const int64_t pid = st.column_int(1);
              if (!in_range(pid, 0, UINT16_MAX)) {
                return skip("incoming_qos2", q.client_id, "packet id out of range");
              }
              q.packet_id = static_cast<uint16_t>(pid);
              out.incoming_qos2.push_back(std::move(q));
            });
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read inbound QoS 2 ids");

  rc = each("SELECT kind, who, by, reason, at_s, until_s FROM banned ORDER BY at_s, kind, who",
            [&](statement& st) {
              ban_record b;
              b.kind = st.column_text(0);
              b.who = st.column_text(1);
              b.by = st.column_text(2);
              b.reason = st.column_text(3);
              b.at_s = st.column_int(4);
              b.until_s = st.column_int(5);
              if (b.kind != "clientid" && b.kind != "username" && b.kind != "peerhost") {
                return skip("banned", b.who, "unknown kind '" + b.kind + "'");
              }
              if (b.who.empty() || b.until_s < 0) return skip("banned", b.kind, "bad row");
              out.bans.push_back(std::move(b));
            });
  if (rc != SQLITE_OK) return fail_rc(rc, "cannot read the ban list");

  out.skipped = skip.count();
  if (out.skipped > 0) {
    log_->warn("load_skipped_total path={} rows={}", path_, out.skipped);
  }
  log_->info(
      "loaded path={} retained={} sessions={} subscriptions={} messages={} incoming_qos2={} "
      "bans={}",
      path_, out.retained.size(), out.sessions.size(), out.subscriptions.size(),
      out.messages.size(), out.incoming_qos2.size(), out.bans.size());
  return out;
}

}  // namespace edgegw::store::detail
