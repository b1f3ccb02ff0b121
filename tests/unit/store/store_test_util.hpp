// Shared helpers of the store tests: a temporary directory per test, a capture of the
// "store" logger, sample records with every field set, and `model`, an in-memory picture
// of what the database should hold, against which loaded state and coalesced batches are
// compared.
#pragma once
#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "gateway/store/detail/store_ops.hpp"
#include "gateway/store/durable_store.hpp"
#include "gateway/store/message_codec.hpp"

namespace edgegw::store::test {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "edgegw-store-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// Collects what the "store" logger writes while it exists.
class log_capture {
 public:
  log_capture() : sink_(std::make_shared<sink>()) {
    spdlog::drop("store");
    auto logger = std::make_shared<spdlog::logger>("store", sink_);
    logger->set_level(spdlog::level::debug);
    spdlog::register_logger(logger);
  }
  ~log_capture() { spdlog::drop("store"); }
  std::string text() const { return sink_->text(); }
  bool contains(const std::string& s) const { return text().find(s) != std::string::npos; }

 private:
  class sink final : public spdlog::sinks::base_sink<std::mutex> {
   public:
    std::string text() {
      std::lock_guard lock(mutex_);
      return text_;
    }

   protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
      text_ += spdlog::level::to_string_view(msg.level).data();
      text_ += ' ';
      text_.append(msg.payload.data(), msg.payload.size());
      text_ += '\n';
    }
    void flush_() override {}

   private:
    std::string text_;
  };
  std::shared_ptr<sink> sink_;
};

inline message full_message(const std::string& topic) {
  message m;
  m.topic = topic;
  m.payload = std::string("\0\x01\xffpayload", 10);
  m.qos = 2;
  m.retain = true;
  m.payload_format = 1;
  m.content_type = "application/json";
  m.response_topic = "reply/to";
  m.correlation_data = std::string("\0\x07", 2);
  m.user_properties = {{"k", "v"}, {"k", "v2"}, {"", ""}};
  m.expire_at_ms = 1'700'000'000'123;
  m.from_client = "sensor-1";
  m.from_protocol = "mqttsn";
  return m;
}

inline message small_message(const std::string& topic, const std::string& payload) {
  message m;
  m.topic = topic;
  m.payload = payload;
  m.qos = 1;
  return m;
}

inline void expect_same(const message& a, const message& b) {
  EXPECT_EQ(a.topic, b.topic);
  EXPECT_EQ(a.payload, b.payload);
  EXPECT_EQ(a.qos, b.qos);
  EXPECT_EQ(a.retain, b.retain);
  EXPECT_EQ(a.payload_format, b.payload_format);
  EXPECT_EQ(a.content_type, b.content_type);
  EXPECT_EQ(a.response_topic, b.response_topic);
  EXPECT_EQ(a.correlation_data, b.correlation_data);
  EXPECT_EQ(a.user_properties, b.user_properties);
  EXPECT_EQ(a.expire_at_ms, b.expire_at_ms);
  EXPECT_EQ(a.from_client, b.from_client);
  EXPECT_EQ(a.from_protocol, b.from_protocol);
}

// What the database should contain, each record flattened to comparable values.
struct model {
  using msg_row = std::tuple<int, uint16_t, uint8_t, bool, std::vector<uint32_t>, std::string>;
  std::map<std::string, std::string> retained;  // topic -> encoded message
  std::map<std::string, std::tuple<std::string, std::string, std::string, uint32_t, int64_t>>
      sessions;
  std::map<std::pair<std::string, std::string>, std::tuple<int, bool, bool, int, uint32_t>> subs;
  std::map<std::pair<std::string, uint64_t>, msg_row> messages;
  std::set<std::pair<std::string, uint16_t>> qos2;
  std::map<std::pair<std::string, std::string>,
           std::tuple<std::string, std::string, int64_t, int64_t>>
      bans;

  bool operator==(const model&) const = default;

  void apply(const detail::op& o) {
    struct visitor {
      model& m;
      void operator()(const detail::put_retained_op& x) {
        m.retained[x.msg->topic] = encode_message(*x.msg);
      }
      void operator()(const detail::erase_retained_op& x) { m.retained.erase(x.topic); }
      void operator()(const detail::put_session_op& x) {
        const auto& r = x.rec;
        m.sessions[r.client_id] = {r.username, r.protocol, r.mountpoint, r.expiry_interval,
                                   r.disconnected_at_ms};
      }
      void operator()(const detail::erase_session_op& x) {
        m.sessions.erase(x.client_id);
        std::erase_if(m.subs, [&](auto& kv) { return kv.first.first == x.client_id; });
        std::erase_if(m.messages, [&](auto& kv) { return kv.first.first == x.client_id; });
        std::erase_if(m.qos2, [&](auto& k) { return k.first == x.client_id; });
      }
      void operator()(const detail::put_subscription_op& x) {
        const auto& o = x.rec.options;
        m.subs[{x.rec.client_id, x.rec.filter}] = {o.qos, o.no_local, o.retain_as_published,
                                                   o.retain_handling, o.subscription_id};
      }
      void operator()(const detail::erase_subscription_op& x) {
        m.subs.erase({x.client_id, x.filter});
      }
      void operator()(const detail::put_message_op& x) {
        const auto& r = x.rec;
        m.messages[{r.client_id, r.seq}] = {
            static_cast<int>(r.state), r.packet_id,           r.qos, r.retain,
            r.subscription_ids,        encode_message(*r.msg)};
      }
      void operator()(const detail::update_message_op& x) {
        auto it = m.messages.find({x.client_id, x.seq});
        if (it == m.messages.end()) return;
        std::get<0>(it->second) = static_cast<int>(x.state);
        std::get<1>(it->second) = x.packet_id;
      }
      void operator()(const detail::erase_message_op& x) { m.messages.erase({x.client_id, x.seq}); }
      void operator()(const detail::put_qos2_op& x) { m.qos2.insert({x.client_id, x.packet_id}); }
      void operator()(const detail::erase_qos2_op& x) { m.qos2.erase({x.client_id, x.packet_id}); }
      void operator()(const detail::put_ban_op& x) {
        const auto& r = x.rec;
        m.bans[{r.kind, r.who}] = {r.by, r.reason, r.at_s, r.until_s};
      }
      void operator()(const detail::erase_ban_op& x) { m.bans.erase({x.kind, x.who}); }
    };
    std::visit(visitor{*this}, o);
  }

  static model from(const loaded_state& s) {
    model m;
    for (const auto& r : s.retained) m.apply(detail::put_retained_op{r, {}});
    for (const auto& r : s.sessions) m.apply(detail::put_session_op{r});
    for (const auto& r : s.subscriptions) m.apply(detail::put_subscription_op{r});
    for (const auto& r : s.messages) m.apply(detail::put_message_op{r, {}, {}});
    for (const auto& r : s.incoming_qos2) m.apply(detail::put_qos2_op{r.client_id, r.packet_id});
    for (const auto& r : s.bans) m.apply(detail::put_ban_op{r});
    return m;
  }
};

// Sends `o` through the public API of `store`.
inline void submit(durable_store& store, const detail::op& o) {
  struct visitor {
    durable_store& s;
    void operator()(const detail::put_retained_op& x) { s.put_retained(x.msg); }
    void operator()(const detail::erase_retained_op& x) { s.erase_retained(x.topic); }
    void operator()(const detail::put_session_op& x) { s.put_session(x.rec); }
    void operator()(const detail::erase_session_op& x) { s.erase_session(x.client_id); }
    void operator()(const detail::put_subscription_op& x) { s.put_subscription(x.rec); }
    void operator()(const detail::erase_subscription_op& x) {
      s.erase_subscription(x.client_id, x.filter);
    }
    void operator()(const detail::put_message_op& x) { s.put_message(x.rec); }
    void operator()(const detail::update_message_op& x) {
      s.update_message(x.client_id, x.seq, x.state, x.packet_id);
    }
    void operator()(const detail::erase_message_op& x) { s.erase_message(x.client_id, x.seq); }
    void operator()(const detail::put_qos2_op& x) { s.put_incoming_qos2(x.client_id, x.packet_id); }
    void operator()(const detail::erase_qos2_op& x) {
      s.erase_incoming_qos2(x.client_id, x.packet_id);
    }
    void operator()(const detail::put_ban_op& x) { s.put_ban(x.rec); }
    void operator()(const detail::erase_ban_op& x) { s.erase_ban(x.kind, x.who); }
  };
  std::visit(visitor{store}, o);
}

// A random op over a small key space (3 clients, 4 seqs, 3 topics, 2 filters, 3 packet
// ids), so that sequences hit the same records often.
template <class Rng>
detail::op random_op(Rng& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::string client = std::string(1, static_cast<char>('a' + pick(3)));
  const uint64_t seq = static_cast<uint64_t>(pick(4)) + 1;
  const std::string topic = "t/" + std::to_string(pick(3));
  const std::string filter = pick(2) ? "f/+" : "$share/g/f/#";
  const auto pid = static_cast<uint16_t>(pick(3) + 1);
  const std::string payload = std::to_string(rng());
  switch (pick(11)) {
    case 0:
      return detail::put_retained_op{make_message(small_message(topic, payload)), {}};
    case 1:
      return detail::erase_retained_op{topic};
    case 2:
      return detail::put_session_op{session_record{client, "user" + payload, "mqtt", "",
                                                   static_cast<uint32_t>(pick(100)),
                                                   static_cast<int64_t>(pick(1000))}};
    case 3:
      return detail::erase_session_op{client};
    case 4: {
      subscription_options o{static_cast<uint8_t>(pick(3)), pick(2) == 1, pick(2) == 1,
                             static_cast<uint8_t>(pick(3)), static_cast<uint32_t>(pick(5))};
      return detail::put_subscription_op{subscription_record{client, filter, o}};
    }
    case 5:
      return detail::erase_subscription_op{client, filter};
    case 6: {
      session_message_record r;
      r.client_id = client;
      r.seq = seq;
      r.state = static_cast<message_state>(pick(3));
      r.packet_id = static_cast<uint16_t>(pick(3));
      r.qos = static_cast<uint8_t>(pick(3));
      r.retain = pick(2) == 1;
      r.subscription_ids.assign(static_cast<std::size_t>(pick(3)), static_cast<uint32_t>(pick(9)));
      r.msg = make_message(small_message("m/" + client, payload));
      return detail::put_message_op{r, {}, {}};
    }
    case 7:
      return detail::update_message_op{client, seq, static_cast<message_state>(pick(3)),
                                       static_cast<uint16_t>(pick(5))};
    case 8:
      return detail::erase_message_op{client, seq};
    case 9:
      return detail::put_qos2_op{client, pid};
    default:
      return detail::erase_qos2_op{client, pid};
  }
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace edgegw::store::test
