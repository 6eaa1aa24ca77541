#include "audit/workload_result.h"

#include <algorithm>

namespace pullguard::audit {

bool MakesUnavailable(const Finding& f) {
  if (f.reason == Reason::kPolicyViolation) return false;
  if (DefaultAction(f.reason) != Action::kDeny) return false;
  // The checker knows the pod still starts (a pre-pulled image), or chose a warning itself
  // (a pull secret that is missing but not needed).
  if (f.at_most_warn) return false;
  if (f.action_fixed && f.action != Action::kDeny) return false;
  return true;
}

bool WorkloadResult::available() const {
  return std::all_of(containers.begin(), containers.end(), [](const ContainerResult& c) { return c.available; });
}

WorkloadResult ResultFor(const Workload& w) {
  WorkloadResult r;
  r.group = w.group;
  r.kind = w.kind;
  r.api_version = w.api_version;
  r.ns = w.ns;
  r.name = w.name;
  r.uid = w.uid;
  r.resource_version = w.resource_version;
  r.schedule = w.schedule;
  r.time_zone = w.time_zone;
  r.schedule_since = w.schedule_since;
  r.next_run = w.next_run;
  return r;
}

WorkloadResult JudgeWorkload(const Workload& w, const checker::ObjectVerdict& verdict) {
  WorkloadResult r = ResultFor(w);
  switch (verdict.outcome) {
    case checker::ObjectVerdict::Outcome::kSkipped:
      r.outcome = WorkloadResult::Outcome::kSkipped;
      r.why = verdict.why;
      return r;
    case checker::ObjectVerdict::Outcome::kUnreadable:
      r.outcome = WorkloadResult::Outcome::kUnreadable;
      r.why = verdict.why;
      return r;
    case checker::ObjectVerdict::Outcome::kChecked:
      break;
  }
  r.outcome = WorkloadResult::Outcome::kChecked;
  for (const ContainerRef& ref : w.containers) {
    ContainerResult c;
    c.ref = ref;
    r.containers.push_back(std::move(c));
  }
  auto place = [&r](const Finding& f) {
    bool on_image = false;
    for (ContainerResult& c : r.containers) {
      if (c.ref.path != f.path) continue;
      on_image = true;
      c.findings.push_back(f);
      if (MakesUnavailable(f)) c.available = false;
    }
    if (!on_image) r.pod_findings.push_back(f);
  };
  for (const Finding& f : verdict.verdict.denials) place(f);
  for (const Finding& f : verdict.verdict.warnings) place(f);
  return r;
}

}  // namespace pullguard::audit
