// The workloads `pullguard audit` re-checks, read from the items of a list: Deployments,
// StatefulSets, DaemonSets, CronJobs, and ReplicaSets, Jobs and Pods that no other object
// owns (an owned one is audited through its owner's template). Only what a check needs is
// kept: the object's identity, its pod spec at its place (for checker::CheckObject), the
// decoded pod (workload::PodOfObject) and each image's container; a list page's items are
// dropped once read, so 10,000 workloads cost their pod specs, not their whole objects.
// Thread-safety: value types and pure functions.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workload/pod.h"

namespace pullguard::audit {

// A kind the audit lists, and where the API serves it.
struct AuditedKind {
  const char* kind;         // Deployment
  const char* group;        // apps ("" for core)
  const char* api_version;  // apps/v1
  const char* api_prefix;   // /apis/apps/v1
  const char* resource;     // deployments
};

// In the order a cycle checks them: CronJobs first (their next Job pulls at its schedule, and
// the finding must come before it), then the long-running kinds, then bare Pods.
const std::vector<AuditedKind>& AuditedKinds();
const AuditedKind* FindAuditedKind(std::string_view kind);

// One image of a workload and the container (or image volume) that pulls it.
struct ContainerRef {
  std::string path;       // spec.template.spec.containers[0].image, as findings name it
  std::string container;  // the container's name; "volume/NAME" for an image volume
  std::string image;      // as written
};

struct Workload {
  std::string group, kind, api_version;
  std::string ns, name, uid, resource_version;
  std::string schedule;   // a CronJob's spec.schedule
  std::string time_zone;  // a CronJob's spec.timeZone ("": the controller's, UTC as usually run)
  // A CronJob's status.lastScheduleTime, else its creationTimestamp (CronJobSchedule::since).
  std::optional<std::chrono::system_clock::time_point> schedule_since;
  std::string next_run;   // a CronJob's next run as a cycle saw it (DescribeNextCronRun)
  nlohmann::json object;  // only the pod spec, at its place in the kind: what CheckObject reads
  workload::PodSpec spec;
  std::vector<ContainerRef> containers;  // one per image of `spec`, in its order

  // "Deployment/shop/web": the workload's name in maps, logs and reports.
  std::string Key() const { return kind + "/" + ns + "/" + name; }
};

// Why a listed item is not audited.
enum class Skip {
  kNone,
  kOwned,      // a ReplicaSet, Job or Pod with an owner: its owner's template is audited
  kFinished,   // a Job that completed or failed, a Pod that succeeded or failed: nothing pulls again
  kSuspended,  // a CronJob with spec.suspend: it starts no Job
};
std::string_view SkipName(Skip skip);  // "owned", "finished", "suspended"

struct ReadItem {
  Skip skip = Skip::kNone;
  Workload workload;  // identity always; the rest when audited and readable
  std::string error;  // the pod spec does not decode: the field and why
};

// One element of a list's `items` of `kind`. The items of a list carry no kind or apiVersion
// of their own: `kind` says what they are.
ReadItem ReadWorkload(const AuditedKind& kind, const nlohmann::json& item);

}  // namespace pullguard::audit
