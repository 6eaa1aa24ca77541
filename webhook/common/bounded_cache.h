// BoundedCache<V>: the one cache behind every cache in pullguard (registry answers, platforms
// by digest, tokens, Kubernetes API answers, pull-secret keyrings, credential plugins'
// answers). A fixed number of entries, least recently used evicted first; each entry expires
// at its own time; identical computations in flight are joined (single flight), and a
// computation that throws frees its key and rethrows to every waiter. Hits, misses and size
// are exported per cache name (a fixed set of names: bounded labels).
// Thread-safety: every method may be called from any thread; computations run unlocked.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/metrics.h"

namespace pullguard {

template <typename V>
class BoundedCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  struct Entry {
    V value;
    Clock::time_point stored;
    Clock::time_point expires;
  };

  // REQUIRES: capacity > 0. `name` labels the metrics (a constant, never user data).
  BoundedCache(std::string name, size_t capacity, Now now = Clock::now)
      : metrics_(CacheMetricsFor(name)), capacity_(capacity), now_(std::move(now)) {}

  // The value, while it has not expired (counted as a hit or a miss).
  std::optional<V> Get(const std::string& key) {
    return GetIf(key, [this](const Entry& e) { return now_() < e.expires; });
  }

  // The value, when `usable` says the entry may serve (counted as a hit or a miss): for a
  // cache whose freshness depends on settings read at lookup time.
  std::optional<V> GetIf(const std::string& key, const std::function<bool(const Entry&)>& usable) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    bool hit = it != map_.end() && usable(it->second->second);
    metrics_.Count(hit);
    if (!hit) return std::nullopt;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->second.value;
  }

  // The entry, expired or not (for stale-if-error), without counting or touching it.
  std::optional<Entry> Peek(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second->second;
  }

  // Stores `value` for `ttl` (an entry that expires at once is not stored).
  void Put(const std::string& key, V value, Clock::duration ttl) {
    if (ttl <= Clock::duration::zero()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    Clock::time_point now = now_();
    Entry entry{std::move(value), now, now + ttl};
    auto it = map_.find(key);
    if (it != map_.end()) {
      it->second->second = std::move(entry);
      lru_.splice(lru_.begin(), lru_, it->second);
      return;
    }
    while (map_.size() >= capacity_ && !lru_.empty()) {
      map_.erase(lru_.back().first);
      lru_.pop_back();
    }
    lru_.emplace_front(key, std::move(entry));
    map_[key] = lru_.begin();
    metrics_.SetEntries(map_.size());
  }

  void Erase(const std::string& key) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end()) return;
    lru_.erase(it->second);
    map_.erase(it);
    metrics_.SetEntries(map_.size());
  }

  // A new bound (a reloaded policy's); entries past it go at the next Put.
  void SetCapacity(size_t capacity) {
    std::lock_guard<std::mutex> lock(mutex_);
    capacity_ = capacity > 0 ? capacity : 1;
  }

  Clock::time_point now() const { return now_(); }

  size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return map_.size();
  }

  // The unexpired value, or `compute`'s, run once for every caller asking for `key` meanwhile.
  // `compute` returns the value and how long to keep it (zero or less: not kept). A caller
  // that joins waits until `deadline` at most (nullopt then; the computation goes on for the
  // others). An exception from `compute` reaches every caller and leaves nothing behind.
  std::optional<V> GetOrCompute(const std::string& key, const std::function<std::pair<V, Clock::duration>()>& compute,
                                Clock::time_point deadline = Clock::time_point::max()) {
    if (auto cached = Get(key)) return cached;
    std::shared_future<V> joined;
    std::promise<V> promise;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (auto it = flights_.find(key); it != flights_.end()) {
        joined = it->second;
      } else {
        flights_.emplace(key, promise.get_future().share());
      }
    }
    if (joined.valid()) {
      if (joined.wait_until(deadline) != std::future_status::ready) return std::nullopt;
      return joined.get();
    }
    try {
      auto [value, ttl] = compute();
      Put(key, value, ttl);
      promise.set_value(value);
      std::lock_guard<std::mutex> lock(mutex_);
      flights_.erase(key);
      return value;
    } catch (...) {
      promise.set_exception(std::current_exception());
      {
        std::lock_guard<std::mutex> lock(mutex_);
        flights_.erase(key);
      }
      throw;
    }
  }

 private:
  using Item = std::pair<std::string, Entry>;
  CacheMetrics& metrics_;
  size_t capacity_;
  const Now now_;
  mutable std::mutex mutex_;
  std::list<Item> lru_;  // most recently used first
  std::unordered_map<std::string, typename std::list<Item>::iterator> map_;
  std::unordered_map<std::string, std::shared_future<V>> flights_;
};

}  // namespace pullguard
