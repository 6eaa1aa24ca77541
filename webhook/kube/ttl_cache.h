// TtlCache: answers from the Kubernetes API for a few seconds, with identical lookups in
// flight joined, so a burst of pods is one API call per object, not one per pod.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <string>

namespace pullguard::kube {

template <typename T>
class TtlCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit TtlCache(std::chrono::milliseconds ttl, size_t max_entries = 4096) : ttl_(ttl), max_entries_(max_entries) {}

  // The cached value for `key`, or the result of `fetch` (run once for all callers waiting).
  T Get(const std::string& key, const std::function<T()>& fetch) {
    std::shared_future<T> future;
    std::promise<T> promise;
    bool owner = false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(key);
      if (it != entries_.end() && (it->second.pending || Clock::now() < it->second.expires)) {
        future = it->second.value;
      } else {
        if (entries_.size() >= max_entries_) entries_.clear();
        future = promise.get_future().share();
        entries_[key] = {future, Clock::time_point::max(), true};
        owner = true;
      }
    }
    if (owner) {
      try {
        T value = fetch();
        promise.set_value(value);
      } catch (...) {
        // A throwing fetch must not leave the key pending for good: forget it, and let every
        // caller waiting on it see the exception.
        promise.set_exception(std::current_exception());
        std::lock_guard<std::mutex> lock(mutex_);
        entries_.erase(key);
        throw;
      }
      std::lock_guard<std::mutex> lock(mutex_);
      entries_[key] = {future, Clock::now() + ttl_, false};
    }
    return future.get();
  }

 private:
  struct Entry {
    std::shared_future<T> value;
    Clock::time_point expires;
    bool pending;
  };
  std::chrono::milliseconds ttl_;
  size_t max_entries_;
  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

}  // namespace pullguard::kube
