// RegistryChecks: the registry probes of one request, run on the shared ProbeScheduler.
// Fresh answers come from the cache; identical checks in flight are joined. Each probe has
// its own budget (the policy's checkMillis, from when it starts waiting), not its caller's:
// a caller stops waiting at its own deadline, and a late answer still fills the cache for
// the next request.
// Thread-safety: Run() may be called from many threads at once.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "checker/probe_scheduler.h"
#include "checker/result_cache.h"
#include "policy/policy.h"
#include "registry/probe.h"

namespace pullguard::checker {

struct RegistryCheckStats {
  size_t cache_hits = 0;
  size_t coalesced = 0;
  size_t probes = 0;
  size_t stale = 0;  // an older "exists" stood in for a transient failure
  size_t timed_out = 0;
};

// One answer: the registry's, or nullopt when it did not come before the caller's deadline
// (`why` then says what was waited for).
struct CheckAnswer {
  std::optional<registry::ProbeResult> result;
  std::string why;
};

class RegistryChecks {
 public:
  explicit RegistryChecks(registry::Prober& prober, size_t workers = 64, ResultCache::Now now = ResultCache::Clock::now);
  ~RegistryChecks();

  // One answer per target, in order. `group` (a namespace) and `tenant` (a review) name the
  // caller, so callers take turns at each registry. Targets' deadlines are set here (the
  // probe's own budget).
  std::vector<CheckAnswer> Run(std::vector<registry::ProbeTarget> targets, const policy::Policy& policy,
                               std::chrono::steady_clock::time_point deadline, const std::string& tenant = "",
                               RegistryCheckStats* stats = nullptr, const std::string& group = "");

  // The cache key of a target (exposed for tests of the credential-identity invariant).
  static std::string CacheKey(const registry::ProbeTarget& target);
  size_t cached() const { return cache_.size(); }
  size_t in_flight() const;

 private:
  using Future = std::shared_future<registry::ProbeResult>;
  std::optional<Future> Launch(const std::string& key, registry::ProbeTarget target, const policy::Policy& policy,
                               const std::string& group, const std::string& tenant, bool* coalesced);

  registry::Prober& prober_;
  ResultCache cache_;
  mutable std::mutex flights_mutex_;
  std::map<std::string, Future> flights_;
  std::unique_ptr<ProbeScheduler> scheduler_;  // last: its workers stop before what they use goes
};

}  // namespace pullguard::checker
