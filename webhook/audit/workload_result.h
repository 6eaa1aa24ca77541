// What one audit check of one workload found, per container: the engine's findings (the same
// words as the webhook's) on each image's field path, and whether the image is available. An
// image is unavailable when a finding says every pull of it fails now, for a reason that does
// not pass by itself: a reason denied by default (a missing tag or repository, credentials
// refused or missing, a wrong platform, an image that does not parse, a registry name that
// does not resolve, a certificate that does not verify), whatever action the policy gives it
// (a warn-only admission policy still shows them; a reason the policy ignores is not reported
// at all). Transient causes (unreachable, rate-limited, timed out, 5xx), :latest and the other
// policy rules leave it available; they are reported and counted by reason.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "audit/workload.h"
#include "checker/object_check.h"
#include "common/finding.h"

namespace pullguard::audit {

struct ContainerResult {
  ContainerRef ref;
  bool available = true;
  std::vector<Finding> findings;  // denials, then warnings, on this image's path
};

struct WorkloadResult {
  enum class Outcome { kChecked, kSkipped, kUnreadable, kNotChecked };
  // The workload's identity (no pod spec: results outlive the cycle's listing).
  std::string group, kind, api_version, ns, name, uid, resource_version, schedule;
  std::string time_zone;  // a CronJob's spec.timeZone
  std::optional<std::chrono::system_clock::time_point> schedule_since;  // Workload's
  std::string next_run;  // a CronJob's: "next run 2026-12-03T06:25:00Z", or why it is not known
  Outcome outcome = Outcome::kNotChecked;
  std::string why;  // kSkipped, kUnreadable, kNotChecked: what happened
  std::vector<ContainerResult> containers;
  std::vector<Finding> pod_findings;  // findings on no image's path (a pull secret, the ServiceAccount)

  bool available() const;  // every container's image
  std::string Key() const { return kind + "/" + ns + "/" + name; }
};

// Does this finding say every pull fails now (see above)?
bool MakesUnavailable(const Finding& finding);

// The identity of `w`, outcome kNotChecked.
WorkloadResult ResultFor(const Workload& w);

// The engine's verdict on `w`, container by container.
WorkloadResult JudgeWorkload(const Workload& w, const checker::ObjectVerdict& verdict);

}  // namespace pullguard::audit
