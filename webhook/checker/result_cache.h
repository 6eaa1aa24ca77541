// ResultCache: registry answers keyed by (normalized reference, platforms, credential
// identities, registry settings). The key holds the credential identity, so an "exists"
// learned with one namespace's secret never answers for a pod without it. Fresh answers are
// served for their TTL (positive or negative); transient failures are not cached; an old
// "exists" may stand in for a transient failure (stale-if-error). Bounded: the oldest entries
// go first.
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "policy/policy.h"
#include "registry/probe.h"

namespace pullguard::checker {

class ResultCache {
 public:
  using Clock = std::chrono::steady_clock;

  // A fresh answer, if there is one.
  std::optional<registry::ProbeAnswer> Fresh(const std::string& key, const policy::CacheSettings& settings);
  // An "exists" answer younger than stale_if_error, if there is one.
  std::optional<registry::ProbeAnswer> Stale(const std::string& key, const policy::CacheSettings& settings);
  void Put(const std::string& key, const registry::ProbeAnswer& answer, const policy::CacheSettings& settings);
  size_t size() const;

 private:
  struct Entry {
    registry::ProbeAnswer answer;
    Clock::time_point stored;
    std::list<std::string>::iterator order;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::list<std::string> order_;  // oldest first
};

}  // namespace pullguard::checker
