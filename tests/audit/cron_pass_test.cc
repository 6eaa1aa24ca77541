// CronJob passes between two audit cycles (audit/cron_pass.h): when a pass starts and which
// CronJobs it checks, a run re-checked once and before it happens, passes a lead apart and
// bounded, and a pass that changes only the CronJobs it checked (audit/change_tracker.h).
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <set>

#include "audit/change_tracker.h"
#include "audit/cron_pass.h"
#include "common/rfc3339.h"

namespace pullguard::audit {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

system_clock::time_point Utc(const char* rfc3339) { return ParseRfc3339(rfc3339).value(); }

std::string FormatOrNone(const std::optional<system_clock::time_point>& t) { return t ? FormatRfc3339(*t) : "none"; }

// The pass as "AT: key key", or "none".
std::string PlanText(const std::vector<CronRun>& runs, const char* now, const char* next_cycle, int lead,
                 const char* not_before = nullptr) {
  auto pass = PlanCronPass(runs, Utc(now), Utc(next_cycle), seconds(lead), Utc(not_before ? not_before : now));
  if (!pass) return "none";
  std::string out = FormatRfc3339(pass->at) + ":";
  for (const std::string& key : pass->keys) out += " " + key;
  return out;
}

CronRun Due(const char* key, const char* at) { return {key, Utc(at)}; }

WorkloadResult CronJobResult(const std::string& name, const std::string& schedule, bool bad = false,
                             const std::string& time_zone = "") {
  WorkloadResult r;
  r.kind = "CronJob";
  r.api_version = "batch/v1";
  r.ns = "shop";
  r.name = name;
  r.uid = name + "-uid";
  r.schedule = schedule;
  r.time_zone = time_zone;
  r.outcome = WorkloadResult::Outcome::kChecked;
  ContainerResult c;
  c.ref = {"spec.jobTemplate.spec.template.spec.containers[0].image", "job", "registry.example.com/team/job:1"};
  c.available = !bad;
  r.containers.push_back(c);
  return r;
}

WorkloadResult DeploymentResult(const std::string& name) {
  WorkloadResult r = CronJobResult(name, "");
  r.kind = "Deployment";
  r.api_version = "apps/v1";
  r.containers[0].ref.path = "spec.template.spec.containers[0].image";
  return r;
}

TEST_CASE("cron pass: the first run no check covers") {
  const auto checked = Utc("2026-12-03T10:00:00Z");
  struct Case {
    const char* schedule;
    const char* time_zone;
    const char* now;
    int lead;
    const char* first;
  };
  const Case cases[] = {
      // The cycle's check covers the runs up to a lead after it started.
      {"*/5 * * * *", "", "2026-12-03T10:00:30Z", 60, "2026-12-03T10:05:00Z"},
      {"*/5 * * * *", "", "2026-12-03T10:00:30Z", 360, "2026-12-03T10:10:00Z"},
      {"*/5 * * * *", "", "2026-12-03T10:00:30Z", 300, "2026-12-03T10:10:00Z"},  // 10:05 is covered
      // Still to come: strictly after now.
      {"*/5 * * * *", "", "2026-12-03T10:07:00Z", 60, "2026-12-03T10:10:00Z"},
      {"*/5 * * * *", "", "2026-12-03T10:10:00Z", 60, "2026-12-03T10:15:00Z"},
      {"* * * * *", "UTC", "2026-12-03T10:00:02Z", 60, "2026-12-03T10:02:00Z"},
      {"0 3 * * *", "Etc/UTC", "2026-12-03T10:00:02Z", 60, "2026-12-04T03:00:00Z"},
      {"@every 5s", "", "2026-12-03T10:00:01Z", 2, "2026-12-03T10:00:07Z"},
      // In the CronJob's own zone: 11:05 in Paris is 10:05Z in December.
      {"*/5 * * * *", "Europe/Paris", "2026-12-03T10:00:30Z", 60, "2026-12-03T10:05:00Z"},
      {"0 3 * * *", "Asia/Kolkata", "2026-12-03T10:00:30Z", 60, "2026-12-03T21:30:00Z"},
      // Not computed: no pass for it, the cycles check it.
      {"*/5 * * * *", "Mars/Olympus", "2026-12-03T10:00:30Z", 60, "none"},
      {"61 * * * *", "", "2026-12-03T10:00:30Z", 60, "none"},
      {"0 0 30 2 *", "", "2026-12-03T10:00:30Z", 60, "none"},
  };
  for (const Case& c : cases) {
    INFO(c.schedule << " " << c.time_zone << " now " << c.now << " lead " << c.lead);
    CHECK(FormatOrNone(FirstUncoveredRun(c.schedule, c.time_zone, checked, Utc(c.now), seconds(c.lead))) == c.first);
  }
}

TEST_CASE("cron pass: a lead before the earliest run, never in the past, with the runs of that lead") {
  const char* now = "2026-12-03T10:00:00Z";
  const char* next = "2026-12-03T10:10:00Z";
  struct Case {
    std::vector<CronRun> runs;
    int lead;
    const char* not_before;
    std::string pass;
  };
  const Case cases[] = {
      {{}, 60, nullptr, "none"},
      {{Due("CronJob/shop/a", "2026-12-03T10:05:00Z")}, 60, nullptr, "2026-12-03T10:04:00Z: CronJob/shop/a"},
      // Due within a lead: now, not in the past.
      {{Due("CronJob/shop/a", "2026-12-03T10:00:30Z")}, 60, nullptr, "2026-12-03T10:00:00Z: CronJob/shop/a"},
      // With it, every run up to a lead after the pass starts, by run, then name.
      {{Due("CronJob/shop/d", "2026-12-03T10:01:01Z"), Due("CronJob/shop/c", "2026-12-03T10:01:00Z"),
        Due("CronJob/shop/b", "2026-12-03T10:00:50Z"), Due("CronJob/shop/a", "2026-12-03T10:00:30Z")},
       60, nullptr, "2026-12-03T10:00:00Z: CronJob/shop/a CronJob/shop/b CronJob/shop/c"},
      {{Due("CronJob/shop/b", "2026-12-03T10:05:00Z"), Due("CronJob/shop/a", "2026-12-03T10:05:00Z"),
        Due("CronJob/shop/c", "2026-12-03T10:05:30Z")},
       60, nullptr, "2026-12-03T10:04:00Z: CronJob/shop/a CronJob/shop/b"},
      // Runs at or after the next cycle are the cycle's; runs now or before are past.
      {{Due("CronJob/shop/a", "2026-12-03T10:10:00Z"), Due("CronJob/shop/b", "2026-12-03T11:00:00Z")}, 60, nullptr, "none"},
      {{Due("CronJob/shop/a", "2026-12-03T10:00:00Z"), Due("CronJob/shop/b", "2026-12-03T10:09:59Z")}, 60, nullptr,
       "2026-12-03T10:08:59Z: CronJob/shop/b"},
      // A lead after the previous pass, still before the run.
      {{Due("CronJob/shop/a", "2026-12-03T10:01:30Z")}, 60, "2026-12-03T10:01:00Z", "2026-12-03T10:01:00Z: CronJob/shop/a"},
      {{Due("CronJob/shop/a", "2026-12-03T10:01:00Z"), Due("CronJob/shop/b", "2026-12-03T10:01:45Z")}, 60,
       "2026-12-03T10:01:00Z", "2026-12-03T10:01:00Z: CronJob/shop/b"},
      // Passes off.
      {{Due("CronJob/shop/a", "2026-12-03T10:05:00Z")}, 0, nullptr, "none"},
  };
  for (const Case& c : cases) {
    INFO(c.pass);
    CHECK(PlanText(c.runs, now, next, c.lead, c.not_before) == c.pass);
  }
}

// The audit loop between two cycles, on a clock that jumps to each pass; a pass takes 2 s and
// checks the CronJobs of `cronjobs` it covers. Returns each pass's start.
std::vector<system_clock::time_point> Between(CronWatch& watch, const std::vector<WorkloadResult>& cronjobs,
                                              system_clock::time_point now, system_clock::time_point next_cycle, seconds lead,
                                              std::map<std::string, size_t>* checks) {
  std::vector<system_clock::time_point> passes;
  std::optional<system_clock::time_point> last;
  for (int turn = 0; turn < 1000; ++turn) {
    auto plan = PlanCronPass(watch.Runs(now, lead), now, next_cycle, lead, last ? *last + lead : now);
    if (!plan) break;
    if (plan->at > now) {
      now = plan->at;
      continue;
    }
    std::vector<WorkloadResult> results;
    for (const WorkloadResult& r : cronjobs) {
      for (const std::string& key : plan->keys) {
        if (r.Key() == key) {
          results.push_back(r);
          ++(*checks)[key];
        }
      }
    }
    watch.PassDone(plan->keys, results, true, now);
    passes.push_back(now);
    last = now;
    now += seconds(2);
  }
  return passes;
}

TEST_CASE("cron pass: each run is re-checked once, a lead before it, passes a lead apart") {
  const std::vector<WorkloadResult> cronjobs{CronJobResult("minutely", "* * * * *"), CronJobResult("nightly", "0 3 * * *"),
                                             CronJobResult("at-seven", "7 10 * * *")};
  CronWatch watch;
  watch.CycleDone(cronjobs, Utc("2026-12-03T10:00:00Z"));
  std::map<std::string, size_t> checks;
  auto passes = Between(watch, cronjobs, Utc("2026-12-03T10:00:05Z"), Utc("2026-12-03T10:10:05Z"), seconds(60), &checks);
  // The cycle's check covers 10:01; the runs 10:02 to 10:10 each get a pass a minute before.
  REQUIRE(passes.size() == 9);
  for (size_t i = 0; i < passes.size(); ++i) CHECK(FormatRfc3339(passes[i]) == "2026-12-03T10:0" + std::to_string(i + 1) + ":00Z");
  CHECK(checks["CronJob/shop/minutely"] == 9);
  CHECK(checks["CronJob/shop/at-seven"] == 1);  // with minutely's pass at 10:06
  CHECK(checks.count("CronJob/shop/nightly") == 0);  // after the next cycle
}

TEST_CASE("cron pass: bounded however often a CronJob runs") {
  const std::vector<WorkloadResult> cronjobs{CronJobResult("busy", "@every 1s")};
  CronWatch watch;
  watch.CycleDone(cronjobs, Utc("2026-12-03T10:00:00Z"));
  std::map<std::string, size_t> checks;
  auto passes = Between(watch, cronjobs, Utc("2026-12-03T10:00:05Z"), Utc("2026-12-03T10:10:05Z"), seconds(60), &checks);
  // interval / lead + 1 at most: one a lead after the other.
  CHECK(passes.size() <= 11);
  CHECK(passes.size() >= 9);
  for (size_t i = 1; i < passes.size(); ++i) CHECK(passes[i] - passes[i - 1] >= seconds(60));
}

TEST_CASE("cron pass: what the loop watches, and what a pass changes of it") {
  WorkloadResult unchecked = CronJobResult("cancelled", "* * * * *");
  unchecked.outcome = WorkloadResult::Outcome::kNotChecked;
  WorkloadResult no_schedule = CronJobResult("no-schedule", "");
  CronWatch watch;
  const auto cycle = Utc("2026-12-03T10:00:00Z");
  watch.CycleDone({CronJobResult("a", "* * * * *"), CronJobResult("b", "* * * * *"), CronJobResult("c", "* * * * *"),
                   CronJobResult("mars", "* * * * *", false, "Mars/Olympus"), DeploymentResult("web"), unchecked,
                   no_schedule},
                  cycle);
  CHECK(watch.size() == 4);  // a, b, c, mars
  CHECK(watch.Runs(Utc("2026-12-03T10:00:05Z"), seconds(60)).size() == 3);  // mars: its zone does not load, not computed

  const auto pass = Utc("2026-12-03T10:01:00Z");
  // a edited to run hourly, b deleted since the cycle (the list was read whole).
  watch.PassDone({"CronJob/shop/a", "CronJob/shop/b"}, {CronJobResult("a", "0 * * * *")}, true, pass);
  CHECK(watch.size() == 3);
  for (const CronRun& r : watch.Runs(pass, seconds(60))) {
    INFO(r.key);
    CHECK(r.key != "CronJob/shop/b");
    if (r.key == "CronJob/shop/a") CHECK(FormatRfc3339(r.run) == "2026-12-03T11:00:00Z");
    if (r.key == "CronJob/shop/c") CHECK(FormatRfc3339(r.run) == "2026-12-03T10:02:00Z");
  }
  // The list failed: c counts as checked anyway, its runs up to a lead after are not planned again.
  watch.PassDone({"CronJob/shop/c"}, {}, false, pass);
  CHECK(watch.size() == 3);
  for (const CronRun& r : watch.Runs(pass, seconds(60))) {
    if (r.key == "CronJob/shop/c") CHECK(FormatRfc3339(r.run) == "2026-12-03T10:03:00Z");
  }
  // Exempt now: forgotten until the next cycle.
  WorkloadResult exempt = CronJobResult("c", "* * * * *");
  exempt.outcome = WorkloadResult::Outcome::kSkipped;
  watch.PassDone({"CronJob/shop/c"}, {exempt}, true, pass);
  CHECK(watch.size() == 2);
  // A new cycle starts afresh.
  watch.CycleDone({CronJobResult("d", "* * * * *")}, Utc("2026-12-03T10:10:00Z"));
  CHECK(watch.size() == 1);
}

TEST_CASE("cron pass: a pass changes the CronJobs it checked and keeps every other workload") {
  const std::set<std::string> all{"CronJob", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod"};
  ChangeTracker tracker;
  CHECK(tracker.Update({CronJobResult("nightly", "* * * * *"), CronJobResult("hourly", "0 * * * *"), DeploymentResult("web")}, all)
            .empty());
  // The pass checked nightly only, now bad: no kind counts as listed whole.
  std::vector<WorkloadResult> pass{CronJobResult("nightly", "* * * * *", true)};
  auto announced = tracker.Update(pass, {});
  REQUIRE(announced.size() == 1);
  CHECK(announced[0].containers == std::vector<size_t>{0});
  CHECK_FALSE(announced[0].first_sight);
  tracker.MarkAnnounced(pass[0], announced[0].containers);
  auto series = tracker.Current();
  REQUIRE(series.size() == 3);
  for (const auto& s : series) CHECK(s.available == (s.name != "nightly"));
  // Still bad at the next pass: no second announcement.
  CHECK(tracker.Update(pass, {}).empty());
  // The next cycle lists hourly no more: gone then, not before.
  CHECK(tracker.Update({CronJobResult("nightly", "* * * * *", true), DeploymentResult("web")}, all).empty());
  CHECK(tracker.Current().size() == 2);
}

}  // namespace
}  // namespace pullguard::audit
