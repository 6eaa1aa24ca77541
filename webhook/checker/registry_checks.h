// RegistryChecks: runs the registry probes of one request concurrently on a shared pool,
// serves fresh answers from the cache, joins identical checks already in flight, keeps each
// registry under its concurrency limit, and stops waiting at the request's deadline (the
// probe goes on and fills the cache for the next request).
// Thread-safety: Run() may be called from many threads at once.
#pragma once

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "checker/registry_limiter.h"
#include "checker/result_cache.h"
#include "checker/worker_pool.h"
#include "policy/policy.h"
#include "registry/probe.h"

namespace pullguard::checker {

struct RegistryCheckStats {
  size_t cache_hits = 0;
  size_t coalesced = 0;
  size_t probes = 0;
  size_t timed_out = 0;
};

class RegistryChecks {
 public:
  RegistryChecks(registry::Prober& prober, size_t threads = 64);

  // One answer per target, in order. Targets still unanswered at `deadline` get a
  // CheckTimedOut answer.
  std::vector<registry::ProbeAnswer> Run(const std::vector<registry::ProbeTarget>& targets,
                                         const policy::Policy& policy, std::chrono::steady_clock::time_point deadline,
                                         RegistryCheckStats* stats = nullptr);

  // The cache key of a target (exposed for tests of the credential-identity invariant).
  static std::string CacheKey(const registry::ProbeTarget& target);
  size_t cached() const { return cache_.size(); }

 private:
  std::shared_future<registry::ProbeAnswer> Launch(const std::string& key, registry::ProbeTarget target,
                                                   const policy::Policy& policy, bool* coalesced);

  registry::Prober& prober_;
  ResultCache cache_;
  RegistryLimiter limiter_;
  std::mutex flights_mutex_;
  std::map<std::string, std::shared_future<registry::ProbeAnswer>> flights_;
  WorkerPool pool_;  // last: its threads stop before the members they use go away
};

}  // namespace pullguard::checker
