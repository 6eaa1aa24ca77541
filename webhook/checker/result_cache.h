// ResultCache: registry answers keyed by (normalized reference, platforms, credential
// identities, hosts and their settings). The key holds the credential identity, so an
// "exists" learned with one namespace's secret never answers for a pod without it. Fresh
// answers are served for their TTL (positive or negative, read from the policy at lookup);
// transient failures are not stored; an "exists" may stand in for a transient failure until
// stale_if_error has passed since it was learned (standing in does not renew it). Bounded
// (common/bounded_cache.h): the least recently used entries go first. An entry keeps what a
// cached answer needs (a few hundred bytes); a missing tag's tag list, kept for suggestions,
// lives in a small cache of its own (a list can be tens of kilobytes).
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <optional>
#include <string>

#include "common/bounded_cache.h"
#include "policy/policy.h"
#include "registry/probe.h"

namespace pullguard::checker {

class ResultCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;
  explicit ResultCache(Now now = Clock::now)
      : cache_("registry_answers", policy::CacheSettings{}.max_entries, now), tag_lists_("tag_lists", 256, now) {}

  // A fresh answer, if there is one.
  std::optional<registry::ProbeResult> Fresh(const std::string& key, const policy::CacheSettings& settings);
  // An "exists" answer learned less than stale_if_error ago, if there is one.
  std::optional<registry::ProbeResult> Stale(const std::string& key, const policy::CacheSettings& settings) const;
  // Stores an answer the registry just gave (a transient failure is not stored).
  void Put(const std::string& key, const registry::ProbeResult& answer, const policy::CacheSettings& settings);
  size_t size() const { return cache_.size(); }

 private:
  // With its tags put back from tag_lists_, when they are still there.
  registry::ProbeResult WithTags(const std::string& key, registry::ProbeResult answer);

  BoundedCache<registry::ProbeResult> cache_;
  BoundedCache<std::vector<std::string>> tag_lists_;
};

}  // namespace pullguard::checker
