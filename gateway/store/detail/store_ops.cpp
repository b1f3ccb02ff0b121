// Batch coalescing (see store_ops.hpp for the rules) and the subscription-id blob.
#include "store_ops.hpp"

#include <unordered_map>

#include "gateway/store/message_codec.hpp"

namespace edgegw::store::detail {

namespace {

enum class effect : uint8_t { put, erase, update, erase_session };

// Which record an op touches: a unique byte string per record, and the owning client
// (null for retained messages, which belong to no session).
struct target {
  std::string key;
  const std::string* client = nullptr;
  effect what = effect::put;
};

std::string record_key(char table, const std::string& client) {
  std::string k(1, table);
  put_varint(k, client.size());  // length first, so no client id can fake a suffix
  k += client;
  return k;
}

std::string record_key(char table, const std::string& client, uint64_t n) {
  std::string k = record_key(table, client);
  put_varint(k, n);
  return k;
}

target target_of(const op& o) {
  struct visitor {
    target operator()(const put_retained_op& x) const {
      return {"r" + x.msg->topic, nullptr, effect::put};
    }
    target operator()(const erase_retained_op& x) const {
      return {"r" + x.topic, nullptr, effect::erase};
    }
    target operator()(const put_session_op& x) const {
      return {record_key('s', x.rec.client_id), &x.rec.client_id, effect::put};
    }
    target operator()(const erase_session_op& x) const {
      return {{}, &x.client_id, effect::erase_session};
    }
    target operator()(const put_subscription_op& x) const {
      return {record_key('b', x.rec.client_id) + x.rec.filter, &x.rec.client_id, effect::put};
    }
    target operator()(const erase_subscription_op& x) const {
      return {record_key('b', x.client_id) + x.filter, &x.client_id, effect::erase};
    }
    target operator()(const put_message_op& x) const {
      return {record_key('m', x.rec.client_id, x.rec.seq), &x.rec.client_id, effect::put};
    }
    target operator()(const update_message_op& x) const {
      return {record_key('m', x.client_id, x.seq), &x.client_id, effect::update};
    }
    target operator()(const erase_message_op& x) const {
      return {record_key('m', x.client_id, x.seq), &x.client_id, effect::erase};
    }
    target operator()(const put_qos2_op& x) const {
      return {record_key('q', x.client_id, x.packet_id), &x.client_id, effect::put};
    }
    target operator()(const erase_qos2_op& x) const {
      return {record_key('q', x.client_id, x.packet_id), &x.client_id, effect::erase};
    }
    // Bans belong to no session (a client id ban outlives the client's session).
    target operator()(const put_ban_op& x) const {
      return {record_key('x', x.rec.kind) + x.rec.who, nullptr, effect::put};
    }
    target operator()(const erase_ban_op& x) const {
      return {record_key('x', x.kind) + x.who, nullptr, effect::erase};
    }
  };
  return std::visit(visitor{}, o);
}

constexpr std::size_t none = static_cast<std::size_t>(-1);

// The ops of one record still live in the batch.
struct slot {
  std::vector<std::size_t> live;
  std::size_t put = none;  // the live put, if the record was (re)written in this batch
  bool gone = false;       // erased in this batch after its last put
};

}  // namespace

std::size_t coalesce(std::vector<op>& ops) {
  std::vector<char> dead(ops.size(), 0);
  std::unordered_map<std::string, slot> slots;
  std::unordered_map<std::string, std::vector<slot*>> client_slots;
  std::unordered_map<std::string, std::size_t> client_erase;

  auto kill = [&](slot& s, bool gone) {
    for (std::size_t i : s.live) dead[i] = 1;
    s.live.clear();
    s.put = none;
    s.gone = gone;
  };

  for (std::size_t i = 0; i < ops.size(); ++i) {
    target t = target_of(ops[i]);
    if (t.what == effect::erase_session) {
      if (auto it = client_slots.find(*t.client); it != client_slots.end()) {
        for (slot* s : it->second) kill(*s, true);
      }
      auto [it, fresh] = client_erase.try_emplace(*t.client, i);
      if (!fresh) {
        dead[it->second] = 1;
        it->second = i;
      }
      continue;
    }

    auto [it, fresh] = slots.try_emplace(std::move(t.key));
    slot& s = it->second;
    if (fresh && t.client) client_slots[*t.client].push_back(&s);
    // A record of a client erased earlier in this batch starts out gone.
    if (fresh && t.client && client_erase.count(*t.client)) s.gone = true;

    switch (t.what) {
      case effect::put:
        kill(s, false);
        s.live.push_back(i);
        s.put = i;
        break;
      case effect::erase:
        kill(s, true);
        s.live.push_back(i);
        break;
      case effect::update:
        if (s.put != none) {
          const auto& u = std::get<update_message_op>(ops[i]);
          auto& p = std::get<put_message_op>(ops[s.put]);
          p.rec.state = u.state;
          p.rec.packet_id = u.packet_id;
          dead[i] = 1;
        } else if (s.gone) {
          dead[i] = 1;  // updates a row that no longer exists
        } else {
          kill(s, false);  // only earlier updates can be live here
          s.live.push_back(i);
        }
        break;
      case effect::erase_session:
        break;  // handled above
    }
  }

  std::size_t out = 0;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (dead[i]) continue;
    if (out != i) ops[out] = std::move(ops[i]);
    ++out;
  }
  const std::size_t removed = ops.size() - out;
  ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(out), ops.end());
  return removed;
}

std::string encode_subscription_ids(const std::vector<uint32_t>& ids) {
  std::string out;
  for (uint32_t id : ids) put_varint(out, id);
  return out;
}

bool decode_subscription_ids(std::string_view blob, std::vector<uint32_t>& ids) {
  ids.clear();
  std::size_t pos = 0;
  while (pos < blob.size()) {
    uint64_t v = 0;
    if (get_varint(blob, pos, v) != codec_errc::ok || v > UINT32_MAX) return false;
    ids.push_back(static_cast<uint32_t>(v));
  }
  return true;
}

}  // namespace edgegw::store::detail
