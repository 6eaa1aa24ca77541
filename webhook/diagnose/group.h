// A workload's pods grouped by what happened to their pull: the cause (or none: it pulled),
// the node's platform and the node's zone, so one line can say where it fails and where it
// does not: "fails with PlatformMismatch on the 3 arm64 nodes (zone a, b), pulls on amd64".
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/reason.h"

namespace pullguard::diagnose {

struct PodOutcome {
  std::string pod;
  std::string node;      // "" when the pod is not scheduled: it never tried, and is not counted
  std::string platform;  // the node's kubernetes.io/os "/" kubernetes.io/arch, e.g. "linux/arm64"; "" unknown
  std::string zone;      // the node's topology.kubernetes.io/zone; "" unknown
  std::optional<Reason> cause;  // nullopt: the pod's images pulled (or are pulling)
};

struct PodGroup {
  std::optional<Reason> cause;
  std::string platform;
  std::string zone;
  std::vector<std::string> pods;   // sorted
  std::vector<std::string> nodes;  // distinct, sorted; unscheduled pods add none
};

// One group per distinct (cause, platform, zone): failing groups first in reason order, then
// the ones that pulled; within each by platform, then zone.
std::vector<PodGroup> GroupPods(const std::vector<PodOutcome>& pods);

// One line for the groups, counting nodes (pods of unscheduled groups are left out):
//   "fails with TagNotFound on all 4 nodes (amd64, arm64)"
//   "fails with PlatformMismatch on the 3 arm64 nodes (zone a, b), pulls on amd64"
//   "fails with RegistryUnreachable on 2 amd64 nodes (zone c), pulls in zone a, b"
//   "pulls on all 5 nodes"
// A cause is "on the N <arch> nodes" when it covers every node of those platforms. The nodes
// that pulled are told apart by platform, else by zone, when those are known and not shared
// with failing nodes. Several causes are joined with "; ", widest first. "" when no pod has a
// node.
std::string SummarizeGroups(const std::vector<PodGroup>& groups);

}  // namespace pullguard::diagnose
