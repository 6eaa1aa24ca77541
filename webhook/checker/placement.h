// Where a pod may land, as the scheduler decides it: the node it names (spec.nodeName), its
// nodeSelector, its required node affinity, and the node taints it tolerates. Only these hard
// rules count; preferences, pod (anti-)affinity and spread constraints never exclude a node
// for good, so a node they avoid still counts as one the pod may land on.
// Thread-safety: value types and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/nodes.h"
#include "common/platform.h"
#include "workload/pod.h"

namespace pullguard::checker {

using workload::NodeSelectorRequirement;
using workload::NodeSelectorTerm;
using workload::Placement;
using workload::Toleration;

// Does the toleration tolerate the taint (key, value and effect as Kubernetes matches them)?
bool Tolerates(const Toleration& toleration, const Taint& taint);

// May the scheduler put the pod on `node`? nodeName, nodeSelector, required node affinity,
// and every NoSchedule/NoExecute taint tolerated (PreferNoSchedule never excludes).
bool MayLandOn(const Placement& placement, const NodeInfo& node);

// The tolerations the DaemonSet controller adds to its pods: they land on nodes that are not
// ready, unreachable, under pressure or cordoned.
std::vector<Toleration> DaemonSetTolerations();

// Of the platforms the nodes run, those the placement allows by its kubernetes.io/os and
// kubernetes.io/arch rules (nodeSelector and required node affinity); other labels are not
// known for a platform and do not narrow. A pod pinned by nodeSelector to an architecture the
// list lacks needs that one.
std::vector<Platform> RequiredPlatforms(const std::vector<Platform>& node_platforms, const Placement& placement);

}  // namespace pullguard::checker
