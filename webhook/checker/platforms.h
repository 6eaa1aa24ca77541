// The platforms a pod's images must run on: the nodes' (from the cluster, or the policy's
// list), narrowed by the pod's nodeSelector on kubernetes.io/os and kubernetes.io/arch (a pod
// pinned to arm64 nodes needs only arm64).
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/platform.h"

namespace pullguard::checker {

std::vector<Platform> RequiredPlatforms(const std::vector<Platform>& node_platforms,
                                        const std::map<std::string, std::string>& node_selector);

}  // namespace pullguard::checker
