#include "audit/cycle.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "audit/cron_schedule.h"
#include "audit/cycle_prober.h"
#include "audit/rate_budget.h"
#include "checker/object_check.h"
#include "common/log.h"
#include "common/parallel_for.h"

namespace pullguard::audit {
namespace {

using Clock = std::chrono::steady_clock;

// Probe workers of a cycle's checker: its checks wait on the registries, not on the CPU.
constexpr size_t kProbeWorkers = 16;
constexpr size_t kMaxCacheEntries = 200000;

}  // namespace

size_t CycleReport::checked() const {
  return static_cast<size_t>(std::count_if(results.begin(), results.end(), [](const WorkloadResult& r) {
    return r.outcome == WorkloadResult::Outcome::kChecked;
  }));
}

size_t CycleReport::unavailable() const {
  return static_cast<size_t>(std::count_if(results.begin(), results.end(), [](const WorkloadResult& r) {
    return r.outcome == WorkloadResult::Outcome::kChecked && !r.available();
  }));
}

policy::Policy CyclePolicy(const policy::Policy& base, size_t image_uses) {
  policy::Policy p = base;
  // One answer per image and credentials for the whole cycle (the cache is the cycle's own):
  // "exists" and "does not exist" alike.
  p.cache.positive_ttl = std::chrono::hours(24);
  p.cache.negative_ttl = std::chrono::hours(24);
  p.cache.max_entries = std::max(p.cache.max_entries, std::min(kMaxCacheEntries, image_uses + 16));
  return p;
}

namespace {

// Checks what `listing` holds, into `report` (its `started` set): a cycle's and a pass's checks.
CycleReport CheckListing(Listing listing, CycleReport report, Clock::time_point start, registry::Prober& registry,
                         checker::ClusterSources sources, const policy::Policy& base, const CycleOptions& options) {
  auto cancelled = [&options] { return options.cancelled && options.cancelled(); };
  // A CronJob's finding names when its next Job pulls: the time to fix it.
  for (Workload& w : listing.workloads) {
    if (w.kind == "CronJob" && !w.schedule.empty()) {
      w.next_run = DescribeNextCronRun(w.schedule, w.time_zone, report.started, w.schedule_since);
    }
  }
  report.complete_kinds = listing.complete_kinds;
  report.failed_kinds = listing.failed_kinds;
  report.skipped = listing.skipped;
  report.pages = listing.pages;
  for (size_t i = 0; i < listing.unreadable.size(); ++i) {
    WorkloadResult r = ResultFor(listing.unreadable[i]);
    r.outcome = WorkloadResult::Outcome::kUnreadable;
    r.why = listing.unreadable_why[i];
    report.unreadable.push_back(std::move(r));
  }
  ImageDemand demand = CountDistinctImages(listing.workloads);
  report.image_uses = demand.image_uses;
  report.never_pulled = demand.never_pulled;
  report.images = demand.images.size();
  report.image_checks = demand.checks.size();

  const policy::Policy policy = CyclePolicy(base, demand.image_uses);
  // Declared before the checker: its probes (run by the checker's workers) come here until
  // the checker is gone.
  CycleProber counting(registry);
  checker::Checker engine(counting, sources, kProbeWorkers);
  if (options.configure) {
    if (Status st = options.configure(engine); !st.ok()) {
      report.error = st.message();
      report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
      return report;
    }
  }
  const double rate = static_cast<double>(std::max<size_t>(policy.audit.checks_per_second, 1));
  RateBudget budget(rate, rate, Clock::now());

  report.results.resize(listing.workloads.size());
  std::atomic<bool> stopped{false};
  ParallelFor(listing.workloads.size(), std::max<size_t>(options.workers, 1), [&](size_t i) {
    const Workload& w = listing.workloads[i];
    report.results[i] = ResultFor(w);
    // Pay for the checks made so far before starting more.
    while (!stopped.load()) {
      if (cancelled()) {
        stopped = true;
        break;
      }
      budget.Sync(counting.probes(), Clock::now());
      Clock::duration wait = budget.WaitFor(Clock::now());
      if (wait <= Clock::duration::zero()) break;
      std::this_thread::sleep_for(std::min<Clock::duration>(wait, std::chrono::milliseconds(100)));
    }
    if (stopped.load()) {
      report.results[i].why = "the cycle was cancelled";
      return;
    }
    checker::ObjectToCheck request;
    request.group = w.group;
    request.kind = w.kind;
    request.ns = w.ns;
    request.operation = "CREATE";  // every image: what the next pod pulls
    request.object = &w.object;
    request.tenant = w.Key();  // workloads take turns at each registry
    try {
      checker::ObjectVerdict verdict = checker::CheckObject(engine, request, policy, {std::chrono::steady_clock::now(), std::nullopt});
      report.results[i] = JudgeWorkload(w, verdict);
    } catch (const std::exception& e) {  // a bug must not end the cycle
      report.results[i].outcome = WorkloadResult::Outcome::kNotChecked;
      report.results[i].why = std::string("the check failed: ") + e.what();
      Log(LogLevel::kError, "audit: a check failed", {{"workload", w.Key()}, {"error", e.what()}});
    }
  });
  report.cancelled = stopped.load();
  for (const WorkloadResult& r : report.results) {
    if (r.outcome == WorkloadResult::Outcome::kSkipped) ++report.skipped["exempt"];
    for (const ContainerResult& c : r.containers) {
      for (const Finding& f : c.findings) ++report.findings_by_reason[f.reason];
    }
    for (const Finding& f : r.pod_findings) ++report.findings_by_reason[f.reason];
  }
  report.registry_checks = counting.probes();
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return report;
}

}  // namespace

CycleReport RunCycle(kube::ApiClient& api, registry::Prober& registry, checker::ClusterSources sources,
                     const policy::Policy& base, const CycleOptions& options) {
  CycleReport report;
  report.started = std::chrono::system_clock::now();
  const Clock::time_point start = Clock::now();
  Listing listing = ListWorkloads(api, options.list);
  return CheckListing(std::move(listing), std::move(report), start, registry, sources, base, options);
}

CycleReport RunCronPass(kube::ApiClient& api, registry::Prober& registry, checker::ClusterSources sources,
                        const policy::Policy& base, const CycleOptions& options, const std::set<std::string>& keys) {
  CycleReport report;
  report.started = std::chrono::system_clock::now();
  const Clock::time_point start = Clock::now();
  ListOptions list = options.list;
  list.kinds = {"CronJob"};
  Listing listed = ListWorkloads(api, list);
  // Only `keys`, as they are now: one deleted or suspended since is not listed.
  Listing listing;
  for (Workload& w : listed.workloads) {
    if (keys.count(w.Key())) listing.workloads.push_back(std::move(w));
  }
  for (size_t i = 0; i < listed.unreadable.size(); ++i) {
    if (!keys.count(listed.unreadable[i].Key())) continue;
    listing.unreadable.push_back(std::move(listed.unreadable[i]));
    listing.unreadable_why.push_back(std::move(listed.unreadable_why[i]));
  }
  listing.complete_kinds = std::move(listed.complete_kinds);
  listing.failed_kinds = std::move(listed.failed_kinds);
  listing.pages = listed.pages;
  return CheckListing(std::move(listing), std::move(report), start, registry, sources, base, options);
}

}  // namespace pullguard::audit
