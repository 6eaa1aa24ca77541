// One audit cycle: list the workloads (workload_lister.h), then check each with
// checker::CheckObject (the engine and words of the webhook, `check` and `diagnose`) through a
// checker made for this cycle, and judge each container (workload_result.h).
//  - The cycle's checker has its own cache, kept for the whole cycle: each distinct image and
//    set of credentials is asked once per cycle (answers of the previous cycle never stand in
//    for this one's), and the workloads that share it are answered from the cache or join the
//    check in flight: N workloads over M images cost M registry checks. Failures the cache
//    does not keep (429, 5xx, timeouts) are kept for the cycle too (CycleProber).
//  - The checks are paced to the policy's audit.checksPerSecond over every registry together
//    (RateBudget), on top of the policy's per-registry concurrency.
//  - CronJobs are checked first: their next Job pulls at its schedule. Between cycles, a
//    CronJob pass (RunCronPass) re-checks the CronJobs that run before the next cycle.
//  - `cancelled` (the replica lost its Lease, or is stopping) is looked at before each workload;
//    a cancelled cycle reports what it checked, and says so.
// Thread-safety: RunCycle may be called from any thread; one cycle at a time per prober.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "audit/distinct_images.h"
#include "audit/workload_lister.h"
#include "audit/workload_result.h"
#include "checker/checker.h"
#include "kube/api_client.h"
#include "policy/policy.h"
#include "registry/probe.h"

namespace pullguard::audit {

struct CycleOptions {
  ListOptions list;
  size_t workers = 8;  // workloads checked at once
  std::function<bool()> cancelled;
  // Called on each cycle's new checker before its first check (the kubelet's credential
  // provider flags); a failure ends the cycle before it checks anything.
  std::function<Status(checker::Checker&)> configure;
};

struct CycleReport {
  std::chrono::system_clock::time_point started;
  double seconds = 0;
  bool cancelled = false;
  std::string error;  // the cycle could not run at all (configure failed)
  std::vector<WorkloadResult> results;  // in the order checked (CronJobs first)
  std::vector<WorkloadResult> unreadable;  // listed, but the pod spec does not decode
  std::map<std::string, size_t> skipped;   // owned, finished, suspended, exempt
  std::set<std::string> complete_kinds;
  std::map<std::string, std::string> failed_kinds;
  size_t pages = 0;
  // The images: uses, distinct images, distinct (image, credential context) checks.
  size_t image_uses = 0, never_pulled = 0, images = 0, image_checks = 0;
  uint64_t registry_checks = 0;  // checks that reached a registry
  std::map<Reason, size_t> findings_by_reason;

  size_t checked() const;
  size_t unavailable() const;  // checked workloads with an unavailable image
};

// The policy a cycle checks with: `base`, its cache kept for the cycle (see above).
policy::Policy CyclePolicy(const policy::Policy& base, size_t image_uses);

// `registry`: the prober every cycle's checker asks through (a RegistryClient); `sources`:
// secrets, ServiceAccounts and nodes (NodesWithoutImages).
CycleReport RunCycle(kube::ApiClient& api, registry::Prober& registry, checker::ClusterSources sources,
                     const policy::Policy& policy, const CycleOptions& options);

// A CronJob pass between two cycles (cron_pass.h): lists CronJobs only (options.list.kinds is
// set to them) and checks those of `keys` as they are now (one deleted or suspended since is not
// checked, one edited is checked as it is), as a cycle checks: a checker and cache of its own,
// the same pacing, credentials and `options`. Its results hold only those CronJobs: they say
// nothing of the workloads it did not check (complete_kinds says the CronJob list was read whole,
// not that they are all in it).
CycleReport RunCronPass(kube::ApiClient& api, registry::Prober& registry, checker::ClusterSources sources,
                        const policy::Policy& policy, const CycleOptions& options, const std::set<std::string>& keys);

}  // namespace pullguard::audit
