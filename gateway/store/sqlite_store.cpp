// make_sqlite_store: the durable_store behind the broker. Callers (any thread) only append
// ops to a queue under a mutex; one storage thread takes what is queued, up to max_batch,
// coalesces it and applies it to SQLite in one transaction (group commit). A short queue
// waits up to flush_interval_ms from its oldest op for company, so a burst of changes
// costs one commit. Owner of the database: the storage thread, which also runs load().
//
// Failures: a failed batch is rolled back and retried with back-off; if it keeps failing,
// its ops are tried one by one so a single bad op cannot sink the rest, and whatever still
// fails is counted and reported in an error line. Nothing is dropped silently, and
// nothing here throws into the caller or ends the process.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "gateway/api/log.hpp"
#include "gateway/store/detail/sqlite_database.hpp"
#include "gateway/store/detail/store_ops.hpp"
#include "gateway/store/durable_store.hpp"
#include "gateway/store/store_error.hpp"

namespace edgegw::store {

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// Attempts of a whole batch, and the pauses between them: about 0.6 s in all, enough for
// a transient error (a full disk being cleaned, a flaky SD card) without stalling long.
constexpr std::chrono::milliseconds retry_backoff[] = {20ms, 100ms, 500ms};
constexpr int max_attempts = static_cast<int>(std::size(retry_backoff)) + 1;
// Consecutive single-op failures after which the rest of a failed batch is not tried.
constexpr std::size_t max_salvage_failures = 8;

class sqlite_store final : public durable_store {
 public:
  explicit sqlite_store(const store_options& options)
      : options_(options),
        log_(log::get("store")),
        db_(options.path, options.sync, log_),
        thread_([this] { run(); }) {}

  ~sqlite_store() override {
    flush();
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    thread_.join();
  }

  result<loaded_state> load() override {
    std::lock_guard serial(load_mutex_);
    load_request req;
    std::unique_lock lock(mutex_);
    req.after = enqueued_;  // what was enqueued before load() is committed first
    flush_target_ = std::max(flush_target_, enqueued_);
    load_ = &req;
    work_cv_.notify_all();
    done_cv_.wait(lock, [&] { return req.outcome.has_value(); });
    return std::move(*req.outcome);
  }

  void put_retained(message_ptr msg) override {
    if (!msg) return log_->error("put_retained_ignored reason=\"null message\"");
    enqueue(detail::put_retained_op{std::move(msg), {}});
  }
  void erase_retained(const std::string& topic) override {
    enqueue(detail::erase_retained_op{topic});
  }
  void put_session(const session_record& s) override { enqueue(detail::put_session_op{s}); }
  void erase_session(const std::string& client_id) override {
    enqueue(detail::erase_session_op{client_id});
  }
  void put_subscription(const subscription_record& s) override {
    enqueue(detail::put_subscription_op{s});
  }
  void erase_subscription(const std::string& client_id, const std::string& filter) override {
    enqueue(detail::erase_subscription_op{client_id, filter});
  }
  void put_message(const session_message_record& m) override {
    if (!m.msg) {
      return log_->error("put_message_ignored client={} seq={} reason=\"null message\"",
                         m.client_id, m.seq);
    }
    enqueue(detail::put_message_op{m, {}, {}});
  }
  void update_message(const std::string& client_id, uint64_t seq, message_state state,
                      uint16_t packet_id) override {
    enqueue(detail::update_message_op{client_id, seq, state, packet_id});
  }
  void erase_message(const std::string& client_id, uint64_t seq) override {
    enqueue(detail::erase_message_op{client_id, seq});
  }
  void put_incoming_qos2(const std::string& client_id, uint16_t packet_id) override {
    enqueue(detail::put_qos2_op{client_id, packet_id});
  }
  void erase_incoming_qos2(const std::string& client_id, uint16_t packet_id) override {
    enqueue(detail::erase_qos2_op{client_id, packet_id});
  }
  void put_ban(const ban_record& b) override { enqueue(detail::put_ban_op{b}); }
  void erase_ban(const std::string& kind, const std::string& who) override {
    enqueue(detail::erase_ban_op{kind, who});
  }

  void flush() override {
    std::unique_lock lock(mutex_);
    const uint64_t target = enqueued_;
    if (done_ >= target) return;
    flush_target_ = std::max(flush_target_, target);
    work_cv_.notify_all();
    done_cv_.wait(lock, [&] { return done_ >= target; });
  }

  void when_committed(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (done_ < enqueued_) {
        commit_waiters_.emplace(enqueued_, std::move(fn));
        flush_target_ = std::max(flush_target_, enqueued_);
        work_cv_.notify_all();
        return;
      }
    }
    fn();
  }

  store_stats stats() const override {
    std::lock_guard lock(mutex_);
    store_stats s = stats_;
    s.pending = static_cast<std::size_t>(enqueued_ - done_);
    return s;
  }

 private:
  struct load_request {
    uint64_t after = 0;
    std::optional<result<loaded_state>> outcome;
  };

  std::size_t max_batch() const { return options_.max_batch == 0 ? 1 : options_.max_batch; }

  void enqueue(detail::op&& o) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        oldest_ = steady::now();
        wake = true;
      }
      queue_.push_back(std::move(o));
      ++enqueued_;
      wake = wake || queue_.size() == max_batch();
    }
    if (wake) work_cv_.notify_all();
  }

  // The storage thread.
  void run() {
    pthread_setname_np(pthread_self(), "edgegw-store");
    std::unique_lock lock(mutex_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || !queue_.empty() || load_ != nullptr; });
      if (load_ && done_ >= load_->after) {
        load_request* req = load_;
        load_ = nullptr;
        lock.unlock();
        auto outcome = do_load();
        lock.lock();
        req->outcome.emplace(std::move(outcome));
        done_cv_.notify_all();
        continue;
      }
      if (queue_.empty()) {
        if (stop_) return;
        continue;
      }
      auto due = [&] {
        return stop_ || load_ != nullptr || flush_target_ > done_ || queue_.size() >= max_batch();
      };
      if (!due()) {
        work_cv_.wait_until(lock, oldest_ + std::chrono::milliseconds(options_.flush_interval_ms),
                            due);
      }
      std::vector<detail::op> batch;
      const std::size_t n = std::min(queue_.size(), max_batch());
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      // Ops left behind are as old as the batch: oldest_ stays, so they go next, at once.
      lock.unlock();
      const batch_outcome r = process(batch, n);
      lock.lock();
      done_ += n;
      stats_.operations += n;
      stats_.batches += r.committed ? 1 : 0;
      stats_.errors += r.errors;
      done_cv_.notify_all();
      if (!commit_waiters_.empty() && commit_waiters_.begin()->first <= done_) {
        std::vector<std::function<void()>> ready;
        while (!commit_waiters_.empty() && commit_waiters_.begin()->first <= done_) {
          ready.push_back(std::move(commit_waiters_.begin()->second));
          commit_waiters_.erase(commit_waiters_.begin());
        }
        lock.unlock();
        for (auto& fn : ready) fn();
        lock.lock();
      }
    }
  }

  result<loaded_state> do_load() {
    try {
      std::error_code ec = db_.open();
      if (!ec) ec = db_.quick_check();
      if (!ec) {
        auto state = db_.read_all();
        if (state) {
          broken_ = false;
          return state;
        }
        ec = state.error();
        db_.close();
      }
      // Never write into a file we refuse to read: later batches are reported as lost.
      broken_ = ec == store_errc::corrupt || ec == store_errc::not_a_database ||
                ec == store_errc::newer_schema;
      log_->error("load_failed path={} error=\"{}\"", options_.path, ec.message());
      return ec;
    } catch (const std::exception& e) {
      log_->error("load_failed path={} error=\"{}\"", options_.path, e.what());
      return make_store_error(store_errc::io_error,
                              "store file " + options_.path + ": " + e.what());
    }
  }

  struct batch_outcome {
    bool committed = false;
    uint64_t errors = 0;
  };

  batch_outcome process(std::vector<detail::op>& batch, std::size_t taken) {
    batch_outcome out;
    try {
      const std::size_t dropped = detail::coalesce(batch);
      if (broken_) {
        log_->error("batch_lost ops={} path={} reason=\"store file failed to load\"", taken,
                    options_.path);
        out.errors = 1;
        return out;
      }
      std::string last_error;
      for (int attempt = 1; attempt <= max_attempts; ++attempt) {
        auto failure = db_.write(batch);
        if (!failure) {
          out.committed = true;
          if (attempt > 1) log_->info("write_recovered attempt={} ops={}", attempt, taken);
          log_->trace("committed ops={} written={} coalesced={}", taken, batch.size(), dropped);
          return out;
        }
        ++out.errors;
        last_error = failure->message;
        log_->warn("write_failed attempt={}/{} ops={} rc={} error=\"{}\"", attempt, max_attempts,
                   batch.size(), failure->rc, failure->message);
        if (attempt < max_attempts) std::this_thread::sleep_for(retry_backoff[attempt - 1]);
      }
      // Salvage what can be written, one op per transaction. A run of failures means the
      // disk itself is gone: the rest is not tried, so a dead disk costs no more time.
      std::size_t lost = 0, failed_in_a_row = 0;
      for (auto& o : batch) {
        if (failed_in_a_row >= max_salvage_failures) {
          ++lost;
          continue;
        }
        std::vector<detail::op> one;
        one.push_back(std::move(o));
        if (auto failure = db_.write(one)) {
          ++out.errors;
          ++lost;
          ++failed_in_a_row;
          last_error = failure->message;
        } else {
          failed_in_a_row = 0;
        }
      }
      if (lost == 0) {
        log_->info("write_recovered one_by_one=true ops={}", batch.size());
      } else {
        log_->error("batch_lost ops={} written={} enqueued={} path={} error=\"{}\"", lost,
                    batch.size(), taken, options_.path, last_error);
      }
    } catch (const std::exception& e) {
      ++out.errors;
      log_->error("batch_lost ops={} path={} error=\"{}\"", batch.size(), options_.path, e.what());
    }
    return out;
  }

  store_options options_;
  std::shared_ptr<spdlog::logger> log_;

  // Storage thread only.
  detail::sqlite_database db_;
  bool broken_ = false;

  mutable std::mutex mutex_;         // guards everything below
  std::condition_variable work_cv_;  // to the storage thread: ops, flush, load, stop
  std::condition_variable done_cv_;  // from it: ops done, load done
  std::deque<detail::op> queue_;
  steady::time_point oldest_;  // when the oldest queued op was enqueued
  uint64_t enqueued_ = 0;      // ops ever enqueued
  uint64_t done_ = 0;          // ops committed or reported lost
  uint64_t flush_target_ = 0;  // commit at once until done_ reaches this
  load_request* load_ = nullptr;
  std::multimap<uint64_t, std::function<void()>> commit_waiters_;  // by ops they wait for
  bool stop_ = false;
  store_stats stats_;
  std::mutex load_mutex_;  // one load() at a time

  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace

std::unique_ptr<durable_store> make_sqlite_store(const store_options& options) {
  return std::make_unique<sqlite_store>(options);
}

}  // namespace edgegw::store
