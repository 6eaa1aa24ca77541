#include "audit/cron_pass.h"

#include <algorithm>
#include <tuple>

#include "audit/cron_schedule.h"

namespace pullguard::audit {

namespace {

// The schedule and zone as the controller reads them, once per CronJob seen (a zone is a file).
std::optional<CronJobSchedule> Read(const std::string& schedule, const std::string& time_zone,
                                    std::optional<std::chrono::system_clock::time_point> since = std::nullopt) {
  auto read = ReadCronJobSchedule(schedule, time_zone);
  if (!read.ok()) return std::nullopt;
  read.value().since = since;
  return std::move(read).value();
}

std::optional<std::chrono::system_clock::time_point> RunAfter(const CronJobSchedule& read,
                                                              std::chrono::system_clock::time_point after) {
  return NextJobRun(read, after);
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> CronRunAfter(const std::string& schedule, const std::string& time_zone,
                                                                  std::chrono::system_clock::time_point after) {
  auto read = Read(schedule, time_zone);
  if (!read) return std::nullopt;
  return RunAfter(*read, after);
}

std::optional<std::chrono::system_clock::time_point> FirstUncoveredRun(const std::string& schedule,
                                                                       const std::string& time_zone,
                                                                       std::chrono::system_clock::time_point checked,
                                                                       std::chrono::system_clock::time_point now,
                                                                       std::chrono::seconds lead) {
  return CronRunAfter(schedule, time_zone, std::max(now, checked + lead));
}

std::optional<CronPass> PlanCronPass(std::vector<CronRun> runs, std::chrono::system_clock::time_point now,
                                     std::chrono::system_clock::time_point next_cycle, std::chrono::seconds lead,
                                     std::chrono::system_clock::time_point not_before) {
  if (lead <= std::chrono::seconds(0)) return std::nullopt;
  const std::chrono::system_clock::time_point earliest_start = std::max(now, not_before);
  // A run at or before the earliest start cannot be checked before it; one at or after the next
  // cycle is the cycle's.
  std::erase_if(runs, [&](const CronRun& r) { return r.run <= earliest_start || r.run >= next_cycle; });
  if (runs.empty()) return std::nullopt;
  std::sort(runs.begin(), runs.end(),
            [](const CronRun& a, const CronRun& b) { return std::tie(a.run, a.key) < std::tie(b.run, b.key); });
  CronPass pass;
  pass.at = std::max(runs.front().run - lead, earliest_start);  // before the earliest run
  for (const CronRun& r : runs) {
    if (r.run > pass.at + lead) break;
    pass.keys.push_back(r.key);
  }
  return pass;
}

void CronWatch::CycleDone(const std::vector<WorkloadResult>& results, std::chrono::system_clock::time_point started) {
  cronjobs_.clear();
  for (const WorkloadResult& r : results) {
    if (r.kind != "CronJob" || r.outcome != WorkloadResult::Outcome::kChecked || r.schedule.empty()) continue;
    cronjobs_[r.Key()] = {Read(r.schedule, r.time_zone, r.schedule_since), started};
  }
}

void CronWatch::PassDone(const std::vector<std::string>& keys, const std::vector<WorkloadResult>& results,
                         bool listed_whole, std::chrono::system_clock::time_point started) {
  std::map<std::string, const WorkloadResult*> seen;
  for (const WorkloadResult& r : results) seen[r.Key()] = &r;
  for (const std::string& key : keys) {
    auto found = seen.find(key);
    if (found == seen.end()) {
      if (listed_whole) {
        cronjobs_.erase(key);  // deleted or suspended since the cycle
      } else if (auto it = cronjobs_.find(key); it != cronjobs_.end()) {
        it->second.checked = started;  // the list failed: tried, not again for these runs
      }
      continue;
    }
    const WorkloadResult& r = *found->second;
    const bool checked = r.outcome == WorkloadResult::Outcome::kChecked || r.outcome == WorkloadResult::Outcome::kNotChecked;
    if (!checked || r.schedule.empty()) {
      cronjobs_.erase(key);  // exempt or unreadable now
      continue;
    }
    cronjobs_[key] = {Read(r.schedule, r.time_zone, r.schedule_since), started};  // edited: its schedule as it is now
  }
}

std::vector<CronRun> CronWatch::Runs(std::chrono::system_clock::time_point now, std::chrono::seconds lead) const {
  std::vector<CronRun> out;
  for (const auto& [key, entry] : cronjobs_) {
    if (!entry.read) continue;  // not computed: the cycles check it (DescribeNextCronRun says why)
    if (auto run = RunAfter(*entry.read, std::max(now, entry.checked + lead))) out.push_back({key, *run});
  }
  return out;
}

}  // namespace pullguard::audit
