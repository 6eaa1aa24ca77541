// TtlCache: answers from the Kubernetes API for a few seconds, with identical lookups in
// flight joined, so a burst of pods is one API call per object, not one per pod. The one
// bounded cache (common/bounded_cache.h) with one TTL for every entry.
// Thread-safety: Get() may be called from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/bounded_cache.h"

namespace pullguard::kube {

template <typename T>
class TtlCache {
 public:
  TtlCache(std::string name, std::chrono::milliseconds ttl, size_t max_entries = 4096)
      : ttl_(ttl), cache_(std::move(name), max_entries) {}

  // The cached value for `key`, or the result of `fetch` (run once for all callers waiting; an
  // exception reaches them all and nothing is kept).
  T Get(const std::string& key, const std::function<T()>& fetch) {
    return *cache_.GetOrCompute(key, [&]() -> std::pair<T, typename BoundedCache<T>::Clock::duration> {
      return {fetch(), ttl_};
    });
  }

 private:
  std::chrono::milliseconds ttl_;
  BoundedCache<T> cache_;
};

}  // namespace pullguard::kube
