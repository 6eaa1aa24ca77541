// CronJob passes between two audit cycles: a CronJob that goes bad after a cycle and runs before
// the next one would pull before the audit flags it. So, after a cycle, the CronJobs whose next
// run comes before the next cycle are re-checked shortly before it (policy audit.cronLeadSeconds,
// the lead), in passes that list CronJobs only and check only those (cycle.h RunCronPass).
//  - A check covers a CronJob's runs up to a lead after it started: the cycle's (CronJobs are
//    checked first) those up to the cycle's start + lead, a pass's those up to its start + lead.
//  - A pass starts a lead before the earliest run no check covers, never in the past, and checks
//    every CronJob whose uncovered run comes within a lead of that start: after it, all of them
//    are covered. A run is re-checked by one pass at most, before it happens.
//  - Passes are a lead apart at least, and only for runs before the next cycle: at most
//    interval / lead + 1 between two cycles, however often a CronJob runs (@every 1s).
// The loop (cli/audit_command.cc) plans, waits until the pass's start and runs that plan: not
// planned again after the wait, since an @every schedule's next run moves with the clock.
// Thread-safety: value types and pure functions; CronWatch has one owner (the audit loop).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "audit/cron_schedule.h"
#include "audit/workload_result.h"

namespace pullguard::audit {

// A CronJob's first run strictly after `after`, as its next_run says it; nullopt when it is not
// computed (a schedule that does not parse, no run in five years, a time zone that does not load).
std::optional<std::chrono::system_clock::time_point> CronRunAfter(const std::string& schedule, const std::string& time_zone,
                                                                  std::chrono::system_clock::time_point after);

// The first run no check covers yet: strictly after `now`, and after `checked` + `lead` (the
// check that started at `checked` covers the runs before).
std::optional<std::chrono::system_clock::time_point> FirstUncoveredRun(const std::string& schedule,
                                                                       const std::string& time_zone,
                                                                       std::chrono::system_clock::time_point checked,
                                                                       std::chrono::system_clock::time_point now,
                                                                       std::chrono::seconds lead);

struct CronRun {
  std::string key;                             // WorkloadResult::Key(): "CronJob/ns/name"
  std::chrono::system_clock::time_point run;   // its first run no check covers (FirstUncoveredRun)
};

struct CronPass {
  std::chrono::system_clock::time_point at;  // when it starts: `now` or later
  std::vector<std::string> keys;             // the CronJobs it checks, by run, then key
};

// The next pass, or none: no run comes after max(now, not_before) and before `next_cycle`, or
// `lead` is not positive (passes are off). `not_before`: the previous pass's start + lead (`now`
// when there was none since the cycle). The pass starts at max(earliest run - lead, now,
// not_before), always before that run, and checks the CronJobs whose run comes after its start
// and no later than its start + lead (the earliest's among them).
std::optional<CronPass> PlanCronPass(std::vector<CronRun> runs, std::chrono::system_clock::time_point now,
                                     std::chrono::system_clock::time_point next_cycle, std::chrono::seconds lead,
                                     std::chrono::system_clock::time_point not_before);

// What the audit loop knows of the CronJobs between two cycles: each one's schedule and when
// its last check (the cycle's or a pass's) started.
class CronWatch {
 public:
  // After a cycle: its checked CronJobs, all checked at `started` (the cycle's start). The
  // CronJobs of an earlier cycle are forgotten.
  void CycleDone(const std::vector<WorkloadResult>& results, std::chrono::system_clock::time_point started);

  // After a pass over `keys` that started at `started`: a CronJob it checked (or tried to) has
  // its schedule as listed now; one it no longer sees, when `listed_whole` (deleted, suspended),
  // or that is now exempt or unreadable, is forgotten until the next cycle. When the list failed,
  // each of `keys` counts as checked anyway: a pass is not repeated for the same runs.
  void PassDone(const std::vector<std::string>& keys, const std::vector<WorkloadResult>& results, bool listed_whole,
                std::chrono::system_clock::time_point started);

  // Each CronJob's first uncovered run at `now`, for PlanCronPass.
  std::vector<CronRun> Runs(std::chrono::system_clock::time_point now, std::chrono::seconds lead) const;

  size_t size() const { return cronjobs_.size(); }
  void Clear() { cronjobs_.clear(); }

 private:
  struct Entry {
    std::optional<CronJobSchedule> read;  // none: its runs are not computed (cron_schedule.h)
    std::chrono::system_clock::time_point checked;
  };
  std::map<std::string, Entry> cronjobs_;  // by WorkloadResult::Key()
};

}  // namespace pullguard::audit
